package store

import (
	"context"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// syncCertificate issues the certificate of an attended booking of a
// completed class, or withdraws it when the attendance was corrected.
func (s *Store) syncCertificate(ctx context.Context, tx *Tx, bookingID int64) error {
	var att, person, enterprise, course, home string
	var personID, starts int64
	var hours float64
	err := tx.QueryRow(ctx, `SELECT b.attendance, b.person_id, p.name, e.name, co.title, h.name, k.starts_at, k.credit_hours
		FROM bookings b JOIN people p ON p.id = b.person_id JOIN enterprises e ON e.id = b.enterprise_id
		JOIN classes k ON k.id = b.class_id JOIN courses co ON co.id = k.course_id JOIN homes h ON h.id = k.home_id WHERE b.id = ?`, bookingID).
		Scan(&att, &personID, &person, &enterprise, &course, &home, &starts, &hours)
	if err != nil {
		return err
	}
	if !model.Attended(att) {
		_, err := tx.Exec(ctx, `DELETE FROM certificates WHERE booking_id = ?`, bookingID)
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO certificates (booking_id, code, person_id, person_name, enterprise_name, course_title, credit_hours, class_date, home_name, issued_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (booking_id) DO NOTHING`,
		bookingID, randomCode(10), personID, person, enterprise, course, hours, string(model.Today(time.UnixMilli(starts))), home, ms(s.Now()))
	return err
}

const certificateColumns = `id, booking_id, code, person_name, enterprise_name, course_title, credit_hours, class_date, home_name, issued_at`

func scanCertificate(r rowScanner) (*model.Certificate, error) {
	c := &model.Certificate{}
	err := r.Scan(&c.ID, &c.BookingID, &c.Code, &c.PersonName, &c.EnterpriseName, &c.CourseTitle, &c.CreditHours, &c.ClassDate, &c.HomeName, timeCol{&c.IssuedAt})
	return c, err
}

// CertificateByCode verifies a certificate: anyone with the code sees the
// certificate itself and nothing more.
func (s *Store) CertificateByCode(ctx context.Context, code string) (*model.Certificate, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" || len(code) > 32 {
		return nil, model.NotFound()
	}
	c, err := scanCertificate(s.queryRow(ctx, `SELECT `+certificateColumns+` FROM certificates WHERE code = ?`, code))
	return c, notFound(err)
}

// CertificateForBooking returns a booking's certificate to whoever may see
// the booking.
func (s *Store) CertificateForBooking(ctx context.Context, a model.Actor, bookingID int64) (*model.Certificate, error) {
	if _, err := s.Booking(ctx, a, bookingID); err != nil {
		return nil, err
	}
	c, err := scanCertificate(s.queryRow(ctx, `SELECT `+certificateColumns+` FROM certificates WHERE booking_id = ?`, bookingID))
	return c, notFound(err)
}
