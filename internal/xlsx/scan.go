package xlsx

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// A scanner splits a sheet's XML into start tags, end tags and text, with
// no allocation per token: names, attributes and text are slices of the
// read buffer, valid until the next call. It is no validating parser; it
// reads well-formed workbook parts, skips declarations, comments and
// processing instructions, and takes CDATA as text.
type scanner struct {
	r           *bufio.Reader
	name        []byte // local name of a start or end tag (prefix dropped)
	attrs       []byte // a start tag's attributes, raw
	selfClosing bool
	text        []byte // raw text (entities not decoded) or CDATA
	cdata       bool
	pendingTag  bool // the '<' of a tag has been read
	acc         []byte
}

type token int

const (
	tokEOF token = iota
	tokStart
	tokEnd
	tokText
)

func newScanner(r io.Reader) *scanner {
	return &scanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// readUntil reads up to and including delim; a piece longer than the
// buffer is gathered in acc.
func (s *scanner) readUntil(delim byte) ([]byte, error) {
	b, err := s.r.ReadSlice(delim)
	if err == nil || err == io.EOF {
		return b, err
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	s.acc = append(s.acc[:0], b...)
	for {
		b, err = s.r.ReadSlice(delim)
		s.acc = append(s.acc, b...)
		if len(s.acc) > 16<<20 {
			return nil, ErrFormat // no cell or tag is this long
		}
		if err == nil || err == io.EOF {
			return s.acc, err
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
}

func (s *scanner) fail(err error) (token, error) {
	if errors.Is(err, ErrTooBig) {
		return tokEOF, ErrTooBig
	}
	return tokEOF, ErrFormat
}

func (s *scanner) next() (token, error) {
	if !s.pendingTag {
		b, err := s.readUntil('<')
		if err == io.EOF {
			return tokEOF, nil
		}
		if err != nil {
			return s.fail(err)
		}
		s.pendingTag = true
		if len(b) > 1 {
			s.text, s.cdata = b[:len(b)-1], false
			return tokText, nil
		}
	}
	s.pendingTag = false
	b, err := s.readUntil('>')
	if err != nil {
		if err == io.EOF {
			return tokEOF, ErrFormat
		}
		return s.fail(err)
	}
	// A '>' inside a quoted attribute value does not end the tag.
	if quotesOpen(b) {
		tag := append([]byte(nil), b...)
		for quotesOpen(tag) {
			more, err := s.readUntil('>')
			if err != nil {
				return s.fail(errOr(err))
			}
			tag = append(tag, more...)
		}
		b = tag
	}
	body := b[:len(b)-1]
	switch {
	case len(body) == 0:
		return tokEOF, ErrFormat
	case body[0] == '?':
		for !bytes.HasSuffix(body, []byte("?")) {
			if err := s.skipPast(&body); err != nil {
				return s.fail(err)
			}
		}
		return s.next()
	case bytes.HasPrefix(body, []byte("!--")):
		for len(body) < 5 || !bytes.HasSuffix(body, []byte("--")) {
			if err := s.skipPast(&body); err != nil {
				return s.fail(err)
			}
		}
		return s.next()
	case bytes.HasPrefix(body, []byte("![CDATA[")):
		text := append([]byte(nil), body[8:]...)
		for !bytes.HasSuffix(text, []byte("]]")) {
			more, err := s.readUntil('>')
			if err != nil {
				return s.fail(errOr(err))
			}
			text = append(append(text, '>'), more[:len(more)-1]...)
		}
		s.text, s.cdata = text[:len(text)-2], true
		return tokText, nil
	case body[0] == '!':
		return s.next() // a document type declaration
	case body[0] == '/':
		s.name = localName(bytes.TrimSpace(body[1:]))
		return tokEnd, nil
	}
	s.selfClosing = body[len(body)-1] == '/'
	if s.selfClosing {
		body = body[:len(body)-1]
	}
	end := bytes.IndexAny(body, " \t\r\n")
	if end < 0 {
		s.name, s.attrs = localName(body), nil
	} else {
		s.name, s.attrs = localName(body[:end]), body[end:]
	}
	return tokStart, nil
}

// skipPast reads on to the next '>' of a construct that ends in a longer
// sequence (a comment, a processing instruction); body keeps the tail.
func (s *scanner) skipPast(body *[]byte) error {
	more, err := s.readUntil('>')
	if err != nil {
		return errOr(err)
	}
	*body = more[:len(more)-1]
	if len(*body) < 2 {
		// "-->" split as "-" + "->": keep the last characters seen.
		*body = append([]byte("---"), *body...)
	}
	return nil
}

func errOr(err error) error {
	if err == io.EOF {
		return ErrFormat
	}
	return err
}

func quotesOpen(b []byte) bool {
	var q byte
	for _, c := range b {
		switch {
		case q != 0 && c == q:
			q = 0
		case q == 0 && (c == '"' || c == '\''):
			q = c
		}
	}
	return q != 0
}

// localName drops a namespace prefix (x:c is c).
func localName(b []byte) []byte {
	if i := bytes.LastIndexByte(b, ':'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// attr finds an attribute's raw value by its local name.
func attr(attrs []byte, name string) ([]byte, bool) {
	for len(attrs) > 0 {
		attrs = bytes.TrimLeft(attrs, " \t\r\n")
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return nil, false
		}
		key := localName(bytes.TrimSpace(attrs[:eq]))
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return nil, false
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return nil, false
		}
		// Only the unprefixed attribute counts: r, not r:id.
		if string(key) == name && !bytes.Contains(attrs[:eq], []byte(":")) {
			return rest[1 : 1+end], true
		}
		attrs = rest[end+2:]
	}
	return nil, false
}

// appendText appends the current text token to dst, decoded.
func (s *scanner) appendText(dst []byte) []byte {
	if s.cdata {
		return append(dst, s.text...)
	}
	return appendText(dst, s.text)
}

// appendText appends raw XML text to dst with entities and OOXML's
// _xHHHH_ escapes decoded.
func appendText(dst, raw []byte) []byte {
	start := len(dst)
	if bytes.IndexByte(raw, '&') < 0 {
		dst = append(dst, raw...)
	} else {
		for len(raw) > 0 {
			i := bytes.IndexByte(raw, '&')
			if i < 0 {
				dst = append(dst, raw...)
				break
			}
			dst = append(dst, raw[:i]...)
			raw = raw[i:]
			semi := bytes.IndexByte(raw, ';')
			if semi < 0 || semi > 12 {
				dst = append(dst, '&')
				raw = raw[1:]
				continue
			}
			ent := raw[1:semi]
			raw = raw[semi+1:]
			switch string(ent) {
			case "lt":
				dst = append(dst, '<')
			case "gt":
				dst = append(dst, '>')
			case "amp":
				dst = append(dst, '&')
			case "quot":
				dst = append(dst, '"')
			case "apos":
				dst = append(dst, '\'')
			default:
				if len(ent) > 1 && ent[0] == '#' {
					var n uint64
					var err error
					if ent[1] == 'x' || ent[1] == 'X' {
						n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
					} else {
						n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
					}
					if err == nil && utf8.ValidRune(rune(n)) {
						dst = utf8.AppendRune(dst, rune(n))
						continue
					}
				}
				dst = append(append(append(dst, '&'), ent...), ';')
			}
		}
	}
	if bytes.Contains(dst[start:], []byte("_x")) {
		dst = append(dst[:start], unescapeX(dst[start:])...)
	}
	return dst
}

// unescapeX decodes _xHHHH_ (how OOXML writes control characters: Excel
// stores a carriage return as _x000D_, and a literal "_x" as _x005F_x).
func unescapeX(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if i+7 <= len(b) && b[i] == '_' && b[i+1] == 'x' && b[i+6] == '_' {
			if n, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16); err == nil {
				out = utf8.AppendRune(out, rune(n))
				i += 7
				continue
			}
		}
		out = append(out, b[i])
		i++
	}
	return out
}
