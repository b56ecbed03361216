package files

import (
	"bytes"
	"encoding/binary"
)

// StripMetadata removes the metadata blocks of a JPEG, PNG or WebP image
// that can carry where and when a photo was taken and on what (EXIF with
// its GPS tags, XMP, text chunks), leaving the picture itself untouched.
// An image it cannot walk is returned as it is.
func StripMetadata(ct string, data []byte) []byte {
	switch ct {
	case "image/jpeg":
		return stripJPEG(data)
	case "image/png":
		return stripPNG(data)
	case "image/webp":
		return stripWebP(data)
	}
	return data
}

// stripJPEG drops the metadata segments before the image data: APP1
// (EXIF, XMP), APP3–APP13 and APP15 (IPTC and makers' notes) and comments,
// keeping APP0 (JFIF), APP2 (the colour profile) and APP14 (Adobe's colour
// transform, needed to decode CMYK). The image data is copied up to the
// end-of-image marker; whatever was appended after it is dropped.
func stripJPEG(data []byte) []byte {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return data
	}
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, 0xD8)
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return data
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA { // start of scan: the entropy-coded data, in which
			// 0xFF is always followed by 0x00 or a restart marker, up to EOI
			end := bytes.Index(data[i:], []byte{0xFF, 0xD9})
			if end < 0 {
				return data
			}
			return append(out, data[i:i+end+2]...)
		}
		if marker == 0xD9 {
			return append(out, 0xFF, 0xD9)
		}
		if marker >= 0xD0 && marker <= 0xD7 || marker == 0x01 { // no length
			out = append(out, data[i:i+2]...)
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return data
		}
		metadata := marker == 0xFE || (marker >= 0xE1 && marker <= 0xEF && marker != 0xE2 && marker != 0xEE)
		if !metadata {
			out = append(out, data[i:i+2+n]...)
		}
		i += 2 + n
	}
	return data
}

// stripPNG drops the eXIf chunk and the text chunks (which hold XMP).
func stripPNG(data []byte) []byte {
	sig := []byte("\x89PNG\r\n\x1a\n")
	if !bytes.HasPrefix(data, sig) {
		return data
	}
	out := append(make([]byte, 0, len(data)), sig...)
	i := len(sig)
	for i+12 <= len(data) {
		n := int(binary.BigEndian.Uint32(data[i:]))
		end := i + 12 + n
		if n < 0 || end > len(data) || end < i {
			return data
		}
		switch string(data[i+4 : i+8]) {
		case "eXIf", "tEXt", "zTXt", "iTXt":
		default:
			out = append(out, data[i:end]...)
		}
		if string(data[i+4:i+8]) == "IEND" {
			return out
		}
		i = end
	}
	return data
}

// stripWebP drops the EXIF and XMP chunks and clears their flags in the
// extended header.
func stripWebP(data []byte) []byte {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return data
	}
	out := append(make([]byte, 0, len(data)), data[:12]...)
	i := 12
	for i+8 <= len(data) {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		end := i + 8 + n + n%2 // chunks are padded to an even size
		if n < 0 || end > len(data) || end < i {
			return data
		}
		switch string(data[i : i+4]) {
		case "EXIF", "XMP ":
		case "VP8X":
			c := append([]byte(nil), data[i:end]...)
			if len(c) > 8 {
				c[8] &^= 0x08 | 0x04 // EXIF and XMP present
			}
			out = append(out, c...)
		default:
			out = append(out, data[i:end]...)
		}
		i = end
	}
	if i != len(data) {
		return data
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

// webpWhole reports whether a WebP file is exactly its RIFF container:
// nothing appended after it.
func webpWhole(data []byte) bool {
	return len(data) >= 12 && int(binary.LittleEndian.Uint32(data[4:]))+8 == len(data)
}

// webpSize reads a WebP image's width and height from its header.
func webpSize(data []byte) (int, int, bool) {
	if len(data) < 30 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return 0, 0, false
	}
	le24 := func(b []byte) int { return int(b[0]) | int(b[1])<<8 | int(b[2])<<16 }
	switch string(data[12:16]) {
	case "VP8X":
		return 1 + le24(data[24:27]), 1 + le24(data[27:30]), true
	case "VP8 ":
		// frame tag (3), start code 9d 01 2a, then 14-bit width and height
		if data[23] != 0x9d || data[24] != 0x01 || data[25] != 0x2a {
			return 0, 0, false
		}
		return int(binary.LittleEndian.Uint16(data[26:]) & 0x3fff), int(binary.LittleEndian.Uint16(data[28:]) & 0x3fff), true
	case "VP8L":
		if data[20] != 0x2f {
			return 0, 0, false
		}
		b := binary.LittleEndian.Uint32(data[21:])
		return int(b&0x3fff) + 1, int(b>>14&0x3fff) + 1, true
	}
	return 0, 0, false
}
