package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// checkKeys walks the first JSON value of body with a streaming decoder
// and returns a problem for an object that repeats a key, or that has a
// key which is not exactly one of the JSON field names of the struct it is
// decoded into (t: a pointer to the destination). It returns nil for
// anything else, malformed JSON included: the decoder that follows
// reports that.
func checkKeys(body []byte, t reflect.Type) *Problem {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	p, _ := walkValue(dec, t, "")
	return p
}

// DuplicateKeys returns a problem (400 duplicate_field, naming the key and
// where it is) if the first JSON value of body has an object that repeats
// a key, and nil otherwise, malformed JSON included. It is for bodies a
// framework decodes itself (the cloud's huma API): encoding/json keeps the
// last of the repeated keys without a word, so {"qty":5,"qty":-5} is -5.
func DuplicateKeys(body []byte) *Problem { return checkKeys(body, nil) }

// walkValue reads one value; t is the Go type it decodes into (nil: not
// known, only duplicates are checked below it). A non-nil error means the
// JSON is malformed and the walk stops.
func walkValue(dec *json.Decoder, t reflect.Type, path string) (*Problem, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	t = deref(t)
	switch tok {
	case json.Delim('{'):
		var fields map[string]reflect.Type
		var elem reflect.Type
		if t != nil {
			switch t.Kind() {
			case reflect.Struct:
				fields = jsonFields(t)
			case reflect.Map:
				elem = t.Elem()
			}
		}
		seen := make(map[string]bool)
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := kt.(string)
			at, atZH := where(path)
			if seen[key] {
				return BadField(bodyField(path, key), "duplicate_field",
					fmt.Sprintf("field %q appears twice%s in the request body", key, at),
					fmt.Sprintf("请求体中%s字段 %q 出现了两次", atZH, key)), nil
			}
			seen[key] = true
			vt := elem
			if fields != nil {
				ft, ok := fields[key]
				if !ok {
					return unknownKey(path, key, fields), nil
				}
				vt = ft
			}
			if p, err := walkValue(dec, vt, joinPath(path, key)); p != nil || err != nil {
				return p, err
			}
		}
		_, err := dec.Token() // '}'
		return nil, err
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if p, err := walkValue(dec, elem, fmt.Sprintf("%s[%d]", path, i)); p != nil || err != nil {
				return p, err
			}
		}
		_, err := dec.Token() // ']'
		return nil, err
	}
	return nil, nil
}

// unknownKey explains a key that is no field; if it differs from one only
// in case, it says so.
func unknownKey(path, key string, fields map[string]reflect.Type) *Problem {
	at, atZH := where(path)
	for f := range fields {
		if strings.EqualFold(f, key) {
			return BadField(bodyField(path, key), "unknown_field",
				fmt.Sprintf("unknown field %q%s in request body: field names are case-sensitive, did you mean %q?", key, at, f),
				fmt.Sprintf("请求体中%s有未知字段 %q：字段名区分大小写，是否应为 %q？", atZH, key, f))
		}
	}
	return BadField(bodyField(path, key), "unknown_field",
		fmt.Sprintf("unknown field %q%s in request body", key, at),
		fmt.Sprintf("请求体中%s有未知字段 %q", atZH, key))
}

// where names the object a key is in, for messages: "" for the top level.
func where(path string) (string, string) {
	if path == "" {
		return "", ""
	}
	return " at " + path, "（位置 " + path + "）"
}

// bodyField names key of the object at path as a request field:
// "body.lines[2].qty", "body[0].gtin".
func bodyField(path, key string) string {
	if path == "" || strings.HasPrefix(path, "[") {
		return "body" + path + "." + key
	}
	return "body." + path + "." + key
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// jsonFields returns the JSON names of a struct's fields as encoding/json
// sees them (tag name, else the Go name; "-" and unexported fields left
// out; embedded structs' fields promoted) with their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			if et := deref(f.Type); et.Kind() == reflect.Struct {
				for k, v := range jsonFields(et) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
