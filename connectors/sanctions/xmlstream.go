package sanctions

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// streamXML reads r token by token and hands each element whose local name
// is in handlers, with the line it starts on, to its handler, which decodes
// that one element (a list entry). Only one entry is in memory at a time.
// A broken document is an error naming file:line.
func streamXML(r io.Reader, file string, handlers map[string]func(d *xml.Decoder, se xml.StartElement, where string) error) error {
	d := xml.NewDecoder(r)
	// The EU file declares XML 1.1 in some versions and UTF-8 throughout;
	// the decoder accepts any declared charset as UTF-8 only when told.
	d.CharsetReader = func(charset string, in io.Reader) (io.Reader, error) {
		switch charset {
		case "utf-8", "UTF-8", "utf8", "UTF8":
			return in, nil
		}
		return nil, fmt.Errorf("encoding %q: only UTF-8 is read", charset)
	}
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return fmt.Errorf("%s:%d: not well-formed XML: %s", file, se.Line, se.Msg)
			}
			return fmt.Errorf("%s:%d: %w", file, line, err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		h := handlers[start.Name.Local]
		if h == nil {
			continue
		}
		line, _ = d.InputPos()
		if err := h(d, start, fmt.Sprintf("%s:%d", file, line)); err != nil {
			return err
		}
	}
}

// decodeEntry decodes one entry element into v; a syntax error inside it is
// an error naming file:line.
func decodeEntry(d *xml.Decoder, se xml.StartElement, where, file string, v any) error {
	if err := d.DecodeElement(v, &se); err != nil {
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			return fmt.Errorf("%s:%d: not well-formed XML: %s", file, syn.Line, syn.Msg)
		}
		return fmt.Errorf("%s: %s: %w", where, se.Name.Local, err)
	}
	return nil
}
