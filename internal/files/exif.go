package files

import (
	"bytes"
	"encoding/binary"
	"time"
)

// CaptureTime reads when a photo was taken from its EXIF block (the
// original date and time, else the file's date and time), before
// StripMetadata drops the block. EXIF keeps the camera's local time
// without a zone unless an offset tag says it, so a time without one is
// read as China time. A photo without a readable time gives false.
func CaptureTime(ct string, data []byte, zone *time.Location) (time.Time, bool) {
	tiff := exifBlock(ct, data)
	if tiff == nil {
		return time.Time{}, false
	}
	return tiffTime(tiff, zone)
}

// exifBlock finds the TIFF structure of the EXIF block of a JPEG (APP1
// "Exif\0\0"), PNG (eXIf) or WebP (EXIF) image.
func exifBlock(ct string, data []byte) []byte {
	prefix := []byte("Exif\x00\x00")
	switch ct {
	case "image/jpeg":
		i := 2
		for i+4 <= len(data) && data[i] == 0xFF {
			marker := data[i+1]
			if marker == 0xDA || marker == 0xD9 {
				return nil
			}
			n := int(binary.BigEndian.Uint16(data[i+2:]))
			if n < 2 || i+2+n > len(data) {
				return nil
			}
			seg := data[i+4 : i+2+n]
			if marker == 0xE1 && bytes.HasPrefix(seg, prefix) {
				return seg[len(prefix):]
			}
			i += 2 + n
		}
	case "image/png":
		i := 8
		for i+12 <= len(data) {
			n := int(binary.BigEndian.Uint32(data[i:]))
			if n < 0 || i+12+n > len(data) {
				return nil
			}
			if string(data[i+4:i+8]) == "eXIf" {
				return data[i+8 : i+8+n]
			}
			i += 12 + n
		}
	case "image/webp":
		i := 12
		for i+8 <= len(data) {
			n := int(binary.LittleEndian.Uint32(data[i+4:]))
			if n < 0 || i+8+n > len(data) {
				return nil
			}
			if string(data[i:i+4]) == "EXIF" {
				return bytes.TrimPrefix(data[i+8:i+8+n], prefix)
			}
			i += 8 + n + n%2
		}
	}
	return nil
}

// EXIF tags read here.
const (
	tagDateTime         = 0x0132
	tagExifIFD          = 0x8769
	tagDateTimeOriginal = 0x9003
	tagOffsetOriginal   = 0x9011
)

// tiffTime reads DateTimeOriginal (with OffsetTimeOriginal when present)
// from the EXIF sub-IFD, else DateTime from the first IFD.
func tiffTime(b []byte, zone *time.Location) (time.Time, bool) {
	if len(b) < 8 {
		return time.Time{}, false
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return time.Time{}, false
	}
	// ifd reads the ASCII values and the sub-IFD pointer of one IFD.
	ifd := func(off uint32) (map[uint16]string, uint32) {
		vals := map[uint16]string{}
		var sub uint32
		if int64(off)+2 > int64(len(b)) {
			return vals, 0
		}
		n := int(bo.Uint16(b[off:]))
		for i := 0; i < n && i < 512; i++ {
			e := int64(off) + 2 + int64(i)*12
			if e+12 > int64(len(b)) {
				break
			}
			tag, typ, count := bo.Uint16(b[e:]), bo.Uint16(b[e+2:]), bo.Uint32(b[e+4:])
			switch {
			case tag == tagExifIFD:
				sub = bo.Uint32(b[e+8:])
			case typ == 2 && count > 4 && count < 64: // ASCII, stored at an offset
				p := int64(bo.Uint32(b[e+8:]))
				if p+int64(count) <= int64(len(b)) {
					vals[tag] = string(bytes.TrimRight(b[p:p+int64(count)], "\x00 "))
				}
			case typ == 2 && count <= 4:
				vals[tag] = string(bytes.TrimRight(b[e+8:e+8+int64(count)], "\x00 "))
			}
		}
		return vals, sub
	}
	first, sub := ifd(bo.Uint32(b[4:]))
	var exif map[uint16]string
	if sub != 0 {
		exif, _ = ifd(sub)
	}
	parse := func(s, offset string) (time.Time, bool) {
		if offset != "" {
			if t, err := time.Parse("2006:01:02 15:04:05-07:00", s+offset); err == nil {
				return t, true
			}
		}
		t, err := time.ParseInLocation("2006:01:02 15:04:05", s, zone)
		return t, err == nil && t.Year() >= 1990
	}
	if s := exif[tagDateTimeOriginal]; s != "" {
		if t, ok := parse(s, exif[tagOffsetOriginal]); ok {
			return t, true
		}
	}
	if s := first[tagDateTime]; s != "" {
		return parse(s, "")
	}
	return time.Time{}, false
}
