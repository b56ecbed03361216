package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Personal information at rest: ID-card numbers are sealed with AES-256-GCM
// before they reach the database, as "pii1:<key id>:<base64 nonce‖sealed>",
// under the first of the configured keys; the others still open what they
// sealed, until `envhome pii rotate` has sealed everything under the first.
// Mobiles stay in clear: they are how people are found and matched.

const piiPrefix = "pii1:"

// piiAAD and totpAAD bind a sealed value to its column, so that it cannot
// be moved into another field and read there.
var (
	piiAAD  = []byte("people.id_card")
	totpAAD = []byte("users.totp_secret")
)

// sealedColumns are the columns kept sealed, for a rotation.
var sealedColumns = []struct {
	table, column string
	aad           []byte
}{{"people", "id_card", piiAAD}, {"users", "totp_secret", totpAAD}}

// PIIKeys are the keys personal information is sealed with.
type PIIKeys struct {
	current string
	aeads   map[string]cipher.AEAD
}

// ParsePIIKeys reads "id:base64key[,id:base64key…]" (32-byte keys, the
// first seals); an empty spec is no keys: values are kept in clear.
func ParsePIIKeys(spec string) (*PIIKeys, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	k := &PIIKeys{aeads: map[string]cipher.AEAD{}}
	for _, part := range strings.Split(spec, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || id == "" || strings.ContainsAny(id, ": ") {
			return nil, fmt.Errorf("PII key %q: want id:base64key", part)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("PII key %q: want 32 bytes in base64 (envhome pii newkey makes one)", id)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("PII key %q given twice", id)
		}
		block, _ := aes.NewCipher(raw)
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		k.aeads[id] = aead
		if k.current == "" {
			k.current = id
		}
	}
	return k, nil
}

// NewPIIKey makes a random key in the form ParsePIIKeys reads.
func NewPIIKey(id string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return id + ":" + base64.StdEncoding.EncodeToString(b)
}

// seal encrypts v under the current key; "" stays "" (nothing to hide),
// and without keys v is kept as it is.
func (k *PIIKeys) seal(v string) string { return k.sealAs(piiAAD, v) }

// sealAs seals v for the column aad names.
func (k *PIIKeys) sealAs(aad []byte, v string) string {
	if k == nil || v == "" {
		return v
	}
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(v)+aead.Overhead())
	rand.Read(nonce)
	return piiPrefix + k.current + ":" + base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(v), aad))
}

// errPIIKey is a sealed value whose key is not configured.
var errPIIKey = errors.New("personal information sealed under a key that is not configured (ENVHOME_PII_KEYS)")

// openAs decrypts a value sealed for the column aad names; a value in
// clear (from before keys were set) is returned as it is.
func (k *PIIKeys) openAs(aad []byte, v string) (string, error) {
	rest, ok := strings.CutPrefix(v, piiPrefix)
	if !ok {
		return v, nil
	}
	id, b64, _ := strings.Cut(rest, ":")
	var aead cipher.AEAD
	if k != nil {
		aead = k.aeads[id]
	}
	if aead == nil {
		return "", fmt.Errorf("%w: key %q", errPIIKey, id)
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", fmt.Errorf("sealed value: %w", err)
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], aad)
	if err != nil {
		return "", fmt.Errorf("sealed value: %w", err)
	}
	return string(plain), nil
}

// sealedCol scans a sealed column into the plain value; aad names the
// column.
type sealedCol struct {
	dst  *string
	keys *PIIKeys
	aad  []byte
}

func (c sealedCol) Scan(src any) error {
	var v string
	switch x := src.(type) {
	case nil:
	case string:
		v = x
	case []byte:
		v = string(x)
	default:
		return fmt.Errorf("sealed column: unexpected %T", src)
	}
	plain, err := c.keys.openAs(c.aad, v)
	*c.dst = plain
	return err
}

// RotatePII seals every sealed column (ID numbers, authenticator secrets)
// under the current key: values in clear and values under older keys
// alike, in batches, each its own transaction, so that it can run beside a
// live server and be run again after a stop. It returns how many values it
// rewrote.
func (s *Store) RotatePII(ctx context.Context) (int, error) {
	if s.pii == nil {
		return 0, errors.New("no PII key configured (ENVHOME_PII_KEYS): nothing to seal with")
	}
	total := 0
	for _, c := range sealedColumns {
		n, err := s.rotateColumn(ctx, c.table, c.column, c.aad)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// rotateColumn reseals one column; table and column are from
// sealedColumns, never from input.
func (s *Store) rotateColumn(ctx context.Context, table, column string, aad []byte) (int, error) {
	current := piiPrefix + s.pii.current + ":"
	total := 0
	var after int64
	for {
		type row struct {
			id  int64
			val string
		}
		rows, err := s.query(ctx, `SELECT id, `+column+` FROM `+table+` WHERE id > ? AND `+column+` <> '' ORDER BY id LIMIT 500`, after)
		batch, err := scanAll(rows, err, func(r *sql.Rows) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.val)
		})
		if err != nil {
			return total, err
		}
		if len(batch) == 0 {
			return total, nil
		}
		after = batch[len(batch)-1].id
		err = s.write(ctx, func(tx *Tx) error {
			for _, x := range batch {
				if strings.HasPrefix(x.val, current) {
					continue
				}
				plain, err := s.pii.openAs(aad, x.val)
				if err != nil {
					return fmt.Errorf("%s %d: %w", table, x.id, err)
				}
				// Only if nobody changed it meanwhile; a changed value was
				// written under the current key already.
				res, err := tx.Exec(ctx, `UPDATE `+table+` SET `+column+` = ? WHERE id = ? AND `+column+` = ?`, s.pii.sealAs(aad, plain), x.id, x.val)
				if err != nil {
					return err
				}
				n, _ := res.RowsAffected()
				total += int(n)
			}
			return nil
		})
		if err != nil {
			return total, err
		}
	}
}
