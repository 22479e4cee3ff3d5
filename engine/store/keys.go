package store

import (
	"encoding/binary"
	"fmt"
	"time"
)

const sep = 0

// Key kinds within a record.
const (
	kindHead        = 'h'
	kindObservation = 'o'
	kindVersion     = 'v'
)

// RecordID names a record.
type RecordID struct {
	Subject string
	Source  string
	Key     string
}

func (id RecordID) String() string {
	if id.Key == "" {
		return id.Source + ":" + id.Subject
	}
	return id.Source + ":" + id.Subject + "/" + id.Key
}

func (id RecordID) validate() error {
	for _, s := range []string{id.Subject, id.Source, id.Key} {
		for i := 0; i < len(s); i++ {
			if s[i] == sep {
				return fmt.Errorf("record id %s: NUL byte in a key part", id)
			}
		}
	}
	if id.Subject == "" || id.Source == "" {
		return fmt.Errorf("record id %s: empty subject or source", id)
	}
	return nil
}

func subjectPrefix(subject string) []byte {
	b := make([]byte, 0, 2+len(subject)+1)
	b = append(b, 'r')
	b = append(b, subject...)
	return append(b, sep)
}

func recordPrefix(id RecordID) []byte {
	b := subjectPrefix(id.Subject)
	b = append(b, id.Source...)
	b = append(b, sep)
	b = append(b, id.Key...)
	return append(b, sep)
}

func obsKey(prefix []byte, at time.Time) []byte {
	b := append(append([]byte(nil), prefix...), kindObservation)
	return binary.BigEndian.AppendUint64(b, ^uint64(at.UnixNano()))
}

func versionKey(prefix []byte, n uint32) []byte {
	b := append(append([]byte(nil), prefix...), kindVersion)
	return binary.BigEndian.AppendUint32(b, n)
}

func indexKey(kind byte, value, subject string) []byte {
	b := make([]byte, 0, 5+len(value)+len(subject))
	b = append(b, 'i', sep, kind, sep)
	b = append(b, value...)
	b = append(b, sep)
	return append(b, subject...)
}

func indexPrefix(kind byte, value string) []byte {
	b := []byte{'i', sep, kind, sep}
	b = append(b, value...)
	return append(b, sep)
}

func sourceKey(id RecordID) []byte {
	b := []byte{'s', sep}
	b = append(b, id.Source...)
	b = append(b, sep)
	b = append(b, id.Subject...)
	b = append(b, sep)
	return append(b, id.Key...)
}

func sourcePrefix(source string) []byte {
	b := []byte{'s', sep}
	b = append(b, source...)
	return append(b, sep)
}
