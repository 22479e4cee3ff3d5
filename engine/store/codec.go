package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// head summarises a record for writers: the highest version number, and
// the newest observation with content (its time, version and hash), which
// an observation in time order is compared with.
type head struct {
	MaxVersion    uint32
	LatestAt      int64 // Unix nanoseconds; 0 before any content
	LatestVersion uint32
	LatestHash    [16]byte
}

func (h head) encode() []byte {
	b := make([]byte, 0, 32)
	b = binary.BigEndian.AppendUint32(b, h.MaxVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(h.LatestAt))
	b = binary.BigEndian.AppendUint32(b, h.LatestVersion)
	return append(b, h.LatestHash[:]...)
}

func decodeHead(b []byte) (head, error) {
	var h head
	if len(b) != 32 {
		return h, fmt.Errorf("head: %d bytes, want 32", len(b))
	}
	h.MaxVersion = binary.BigEndian.Uint32(b)
	h.LatestAt = int64(binary.BigEndian.Uint64(b[4:]))
	h.LatestVersion = binary.BigEndian.Uint32(b[12:])
	copy(h.LatestHash[:], b[16:])
	return h, nil
}

// observation says which version a fetch saw, or that it failed.
type observation struct {
	Version uint32 // 0 when the source had no version yet
	Error   string // the source's error for this subject, if any
}

func (o observation) encode() []byte {
	b := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(o.Error)), o.Version)
	return append(b, o.Error...)
}

func decodeObservation(b []byte) (observation, error) {
	if len(b) < 4 {
		return observation{}, errors.New("observation: truncated")
	}
	return observation{Version: binary.BigEndian.Uint32(b), Error: string(b[4:])}, nil
}

// Version is one stored content of a record.
type Version struct {
	N             uint32
	Hash          [16]byte
	FirstObserved time.Time
	Pos           string // where it was read: file:line or request id
	Raw           []byte // the bytes as the source sent them (persons pseudonymised)
	Parsed        []byte // JSON of the typed form (engine/record)
}

func (v *Version) encode() []byte {
	b := make([]byte, 0, 16+8+6+len(v.Pos)+len(v.Raw)+len(v.Parsed))
	b = append(b, v.Hash[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(v.FirstObserved.UnixNano()))
	b = binary.AppendUvarint(b, uint64(len(v.Pos)))
	b = append(b, v.Pos...)
	b = binary.AppendUvarint(b, uint64(len(v.Raw)))
	b = append(b, v.Raw...)
	return append(b, v.Parsed...)
}

// decodeVersion decodes b into v; the byte slices of v alias b.
func decodeVersion(n uint32, b []byte, v *Version) error {
	if len(b) < 24 {
		return errors.New("version: truncated header")
	}
	v.N = n
	copy(v.Hash[:], b)
	v.FirstObserved = time.Unix(0, int64(binary.BigEndian.Uint64(b[16:]))).UTC()
	b = b[24:]
	l, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < l {
		return errors.New("version: bad position length")
	}
	v.Pos = string(b[k : k+int(l)])
	b = b[k+int(l):]
	l, k = binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < l {
		return errors.New("version: bad raw length")
	}
	v.Raw = b[k : k+int(l)]
	v.Parsed = b[k+int(l):]
	return nil
}
