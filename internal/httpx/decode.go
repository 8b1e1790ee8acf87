package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
)

// DecodeJSON decodes the request body into dst, which must point to a
// struct or a slice of structs. The body must hold exactly one JSON object
// (or, for a slice, one array of objects) of at most maxBytes bytes, with no
// field dst does not have; numbers for integer fields must be
// integers (1.5 is refused, never truncated). Object keys must be unique and
// spelled exactly as dst's JSON field names, case included. The
// Content-Type is not checked. On failure it returns a *Problem naming what
// was wrong, with one of these reasons: "too_large" (status 413),
// "empty_body", "bad_json", "unknown_field", "duplicate_field",
// "not_integer", "bad_type" (all 400).
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any, maxBytes int64) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
	if err != nil {
		return decodeProblem(err, maxBytes)
	}
	// encoding/json lets the last of two equal keys win and matches field
	// names without regard to case: {"qty":5,"qty":-5} and {"QTY":5} would
	// both be taken. The keys are checked first, exactly.
	if p := checkKeys(body, reflect.TypeOf(dst)); p != nil {
		return p
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeProblem(err, maxBytes)
	}
	// Anything but white space after the object is an error too: a second
	// object would otherwise be silently ignored.
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil:
		return BadRequest("bad_json",
			"request body must hold exactly one JSON object, found more after it",
			"请求体只能包含一个 JSON 对象，其后发现了多余内容")
	default:
		return decodeProblem(err, maxBytes)
	}
}

// decodeProblem turns an error of encoding/json or http.MaxBytesReader into
// the problem a user sees.
func decodeProblem(err error, maxBytes int64) *Problem {
	var (
		tooLarge  *http.MaxBytesError
		syntax    *json.SyntaxError
		typeError *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return &Problem{
			Status: http.StatusRequestEntityTooLarge,
			Reason: "too_large",
			Msg:    fmt.Sprintf("request body is larger than %d bytes", maxBytes),
			MsgZH:  fmt.Sprintf("请求体超过 %d 字节", maxBytes),
		}
	case errors.Is(err, io.EOF):
		return BadRequest("empty_body", "request body is empty; send a JSON object", "请求体为空，请发送 JSON 对象")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest("bad_json", "malformed JSON: the body ends in the middle of a value", "JSON 格式错误：请求体在值的中间结束")
	case errors.As(err, &syntax):
		return BadRequest("bad_json",
			fmt.Sprintf("malformed JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: ")),
			fmt.Sprintf("JSON 格式错误（第 %d 字节处）", syntax.Offset))
	case errors.As(err, &typeError):
		return typeProblem(typeError)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this; its text is stable.
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return BadRequest("unknown_field",
			fmt.Sprintf("unknown field %s in request body", field),
			fmt.Sprintf("请求体中有未知字段 %s", field))
	}
	return BadRequest("bad_json", "malformed JSON: "+err.Error(), "JSON 格式错误")
}

// typeProblem explains a JSON value of the wrong type for its field.
func typeProblem(e *json.UnmarshalTypeError) *Problem {
	if e.Field == "" && e.Type != nil && e.Type.Kind() == reflect.Slice {
		return BadRequest("bad_type",
			fmt.Sprintf("request body must be a JSON array, got %s", article(e.Value)),
			fmt.Sprintf("请求体必须是 JSON 数组，收到的是%s", valueZH(e.Value)))
	}
	if e.Field == "" {
		return BadRequest("bad_type",
			fmt.Sprintf("request body must be a JSON object, got %s", article(e.Value)),
			fmt.Sprintf("请求体必须是 JSON 对象，收到的是%s", valueZH(e.Value)))
	}
	t := e.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if isInteger(t.Kind()) && strings.HasPrefix(e.Value, "number") {
		got := strings.TrimSpace(strings.TrimPrefix(e.Value, "number"))
		if strings.ContainsAny(got, ".eE") {
			return BadField("body."+e.Field, "not_integer",
				fmt.Sprintf("field %q must be an integer (no fraction or exponent), got %s", e.Field, got),
				fmt.Sprintf("字段 %q 必须是整数（不能有小数或指数），收到的是 %s", e.Field, got))
		}
		return BadField("body."+e.Field, "not_integer",
			fmt.Sprintf("field %q is out of range for %s, got %s", e.Field, t.Kind(), got),
			fmt.Sprintf("字段 %q 超出 %s 的范围，收到的是 %s", e.Field, t.Kind(), got))
	}
	return BadField("body."+e.Field, "bad_type",
		fmt.Sprintf("field %q must be %s, got %s", e.Field, jsonKind(t.Kind()), article(e.Value)),
		fmt.Sprintf("字段 %q 必须是%s，收到的是%s", e.Field, jsonKindZH(t.Kind()), valueZH(e.Value)))
}

// article prefixes a JSON type name as encoding/json reports it ("string",
// "number", "array", "object", "bool") with "a" or "an".
func article(v string) string {
	switch {
	case v == "":
		return "nothing"
	case strings.ContainsRune("aeiou", rune(v[0])):
		return "an " + v
	}
	return "a " + v
}

func isInteger(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func jsonKind(k reflect.Kind) string {
	switch {
	case isInteger(k):
		return "an integer"
	case k == reflect.String:
		return "a string"
	case k == reflect.Bool:
		return "true or false"
	case k == reflect.Float32 || k == reflect.Float64:
		return "a number"
	case k == reflect.Slice || k == reflect.Array:
		return "an array"
	}
	return "an object"
}

// valueZH names a JSON type as encoding/json reports it ("string",
// "number 1.5", "array", ...) in Chinese.
func valueZH(v string) string {
	kind, rest, _ := strings.Cut(v, " ")
	zh, ok := map[string]string{"string": "字符串", "number": "数字", "array": "数组", "object": "对象", "bool": "布尔值"}[kind]
	switch {
	case !ok:
		return "其他类型"
	case rest != "":
		return zh + " " + rest
	}
	return zh
}

func jsonKindZH(k reflect.Kind) string {
	switch {
	case isInteger(k):
		return "整数"
	case k == reflect.String:
		return "字符串"
	case k == reflect.Bool:
		return "布尔值"
	case k == reflect.Float32 || k == reflect.Float64:
		return "数字"
	case k == reflect.Slice || k == reflect.Array:
		return "数组"
	}
	return "对象"
}
