package syncproto

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ReplicaID names one agent instance. It is random, made at first start and
// kept in the agent's ledger. Zero is never a valid replica ID.
type ReplicaID uint64

// NewReplicaID returns a random non-zero replica ID.
func NewReplicaID() (ReplicaID, error) {
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return 0, fmt.Errorf("new replica id: %w", err)
		}
		if id := ReplicaID(binary.BigEndian.Uint64(b[:])); id != 0 {
			return id, nil
		}
	}
}

// String returns the ID as 16 lowercase hex digits, the form used in topics.
func (r ReplicaID) String() string { return fmt.Sprintf("%016x", uint64(r)) }

// ParseReplicaID parses the form String returns: 16 lowercase hex digits.
// It returns ErrBadReplica for anything else and for zero.
func ParseReplicaID(s string) (ReplicaID, error) {
	// Only the lowercase form String writes: an uppercase alias would name
	// the same replica under a second topic that broker ACLs do not match.
	if len(s) != 16 || strings.IndexFunc(s, func(c rune) bool { return !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') }) >= 0 {
		return 0, fmt.Errorf("%w: %q is not 16 lowercase hex digits", ErrBadReplica, s)
	}
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("%w: %q", ErrBadReplica, s)
	}
	return ReplicaID(v), nil
}

// ValidName reports whether s may be used as a tenant or site name: 1 to 64
// characters, none of them an MQTT separator or wildcard, space or control.
func ValidName(s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("%w: %q must be 1 to 64 bytes", ErrBadName, s)
	}
	if strings.ContainsAny(s, "/+#$ \t\r\n\x00") {
		return fmt.Errorf("%w: %q contains one of / + # $ or white space", ErrBadName, s)
	}
	// MQTT topics must be UTF-8 and should hold no control characters.
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return fmt.Errorf("%w: %q is not UTF-8 or contains a control character", ErrBadName, s)
	}
	return nil
}

// CloudReplica is the replica the cloud writes the stock changes HQ
// decides at a site under (DOMAIN.md §1: a receipt keyed in for a site
// without an agent, an other in/out approved at HQ): one per (tenant,
// site), its ID the FNV-1a hash of "jxc-cloud", tenant and site (each
// followed by a 0 byte), so that every cloud process of a tenant writes
// under the same one.
func CloudReplica(tenant, site string) ReplicaID {
	h := fnv.New64a()
	for _, s := range []string{"jxc-cloud", tenant, site} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return ReplicaID(max(h.Sum64(), 1))
}
