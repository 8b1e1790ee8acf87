// Package pb holds the protobuf messages of syncproto v1. The Go code is
// generated from jxc.proto and committed; regenerate with `go generate` after
// installing protoc (Debian package protobuf-compiler). protoc-gen-go is built
// at the version go.mod pins.
package pb

//go:generate sh -c "go build -o \"$(go env GOPATH)/bin/protoc-gen-go\" google.golang.org/protobuf/cmd/protoc-gen-go && protoc --plugin=protoc-gen-go=\"$(go env GOPATH)/bin/protoc-gen-go\" --go_out=paths=source_relative:. jxc.proto"
