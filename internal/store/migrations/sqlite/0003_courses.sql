-- Course supermarket: lecturers, courses, classes at Homes, bookings with
-- waitlists and attendance, feedback, certificates, topic demand, in-app
-- notifications with their deliveries, and the bureau's settings.

ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN webhook_url TEXT NOT NULL DEFAULT '';

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE lecturers (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER UNIQUE REFERENCES users(id),
    name             TEXT NOT NULL,
    affiliation_kind TEXT NOT NULL,
    affiliation      TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL DEFAULT '',
    bio              TEXT NOT NULL DEFAULT '',
    photo            TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE topics (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    enterprise_id INTEGER REFERENCES enterprises(id),
    user_id       INTEGER REFERENCES users(id),
    votes         INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'open',
    course_id     BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX topics_rank ON topics(status, votes, id);

CREATE TABLE topic_votes (
    topic_id      INTEGER NOT NULL REFERENCES topics(id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (topic_id, enterprise_id)
);

CREATE TABLE courses (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    category     TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    credit_hours REAL NOT NULL CHECK (credit_hours > 0),
    industries   TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'published',
    topic_id     INTEGER REFERENCES topics(id),
    search_text  TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX courses_category ON courses(category, id);

CREATE TABLE course_lecturers (
    course_id   INTEGER NOT NULL REFERENCES courses(id),
    lecturer_id INTEGER NOT NULL REFERENCES lecturers(id),
    PRIMARY KEY (course_id, lecturer_id)
);
CREATE INDEX course_lecturers_lecturer ON course_lecturers(lecturer_id, course_id);

CREATE TABLE course_materials (
    id           INTEGER PRIMARY KEY,
    course_id    INTEGER NOT NULL REFERENCES courses(id),
    name         TEXT NOT NULL,
    file         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX course_materials_course ON course_materials(course_id, id);

-- booked counts confirmed and offered seats; it is only ever raised by a
-- conditional UPDATE (booked < capacity), so no class is overbooked.
CREATE TABLE classes (
    id                   INTEGER PRIMARY KEY,
    course_id            INTEGER NOT NULL REFERENCES courses(id),
    home_id              INTEGER NOT NULL REFERENCES homes(id),
    room_id              INTEGER REFERENCES home_rooms(id),
    starts_at            BIGINT NOT NULL,
    ends_at              BIGINT NOT NULL,
    capacity             INTEGER NOT NULL CHECK (capacity > 0),
    booked               INTEGER NOT NULL DEFAULT 0,
    waitlisted           INTEGER NOT NULL DEFAULT 0,
    per_enterprise_limit INTEGER NOT NULL DEFAULT 0,
    booking_opens_at     BIGINT NOT NULL,
    booking_closes_at    BIGINT NOT NULL,
    cancel_deadline      BIGINT NOT NULL,
    credit_hours         REAL NOT NULL,
    status               TEXT NOT NULL DEFAULT 'scheduled',
    checkin_secret       TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    CHECK (booked <= capacity),
    CHECK (ends_at > starts_at)
);
CREATE INDEX classes_course ON classes(course_id, starts_at);
CREATE INDEX classes_starts ON classes(starts_at, id);
CREATE INDEX classes_home ON classes(home_id, starts_at);

CREATE TABLE bookings (
    id                INTEGER PRIMARY KEY,
    class_id          INTEGER NOT NULL REFERENCES classes(id),
    manager_id        INTEGER NOT NULL REFERENCES managers(id),
    person_id         INTEGER NOT NULL REFERENCES people(id),
    enterprise_id     INTEGER NOT NULL REFERENCES enterprises(id),
    status            TEXT NOT NULL,
    waitlist_position INTEGER NOT NULL DEFAULT 0,
    offer_expires_at  BIGINT,
    code              TEXT NOT NULL UNIQUE,
    attendance        TEXT NOT NULL DEFAULT '',
    checked_in_at     BIGINT,
    reminded_at       BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
-- One live booking per manager per class, whatever the code above does.
CREATE UNIQUE INDEX bookings_one_per_manager ON bookings(class_id, manager_id) WHERE status <> 'cancelled';
CREATE INDEX bookings_class ON bookings(class_id, status, waitlist_position);
CREATE INDEX bookings_enterprise ON bookings(enterprise_id, class_id);
CREATE INDEX bookings_person ON bookings(person_id, class_id);
CREATE INDEX bookings_offer ON bookings(status, offer_expires_at);

CREATE TABLE feedback (
    booking_id INTEGER PRIMARY KEY REFERENCES bookings(id),
    class_id   INTEGER NOT NULL REFERENCES classes(id),
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX feedback_class ON feedback(class_id);

-- A certificate copies what it certifies, so it reads the same after the
-- course or the manager changes.
CREATE TABLE certificates (
    id              INTEGER PRIMARY KEY,
    booking_id      INTEGER NOT NULL UNIQUE REFERENCES bookings(id),
    code            TEXT NOT NULL UNIQUE,
    person_id       INTEGER NOT NULL REFERENCES people(id),
    person_name     TEXT NOT NULL,
    enterprise_name TEXT NOT NULL,
    course_title    TEXT NOT NULL,
    credit_hours    REAL NOT NULL,
    class_date      TEXT NOT NULL,
    home_name       TEXT NOT NULL,
    issued_at       BIGINT NOT NULL
);
CREATE INDEX certificates_person ON certificates(person_id, id);

CREATE TABLE calendar_feeds (
    manager_id INTEGER PRIMARY KEY REFERENCES managers(id),
    token      TEXT NOT NULL UNIQUE
);

-- A notice is stored once per dedupe key, so no notice is made twice,
-- whichever instance or retry makes it.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    args       TEXT NOT NULL DEFAULT '{}',
    link       TEXT NOT NULL DEFAULT '',
    dedupe_key TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, id);

-- Outgoing copies of a notice (email, webhook), sent by leased workers.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications(id),
    channel         TEXT NOT NULL,
    target          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         BIGINT NOT NULL,
    lease_until     BIGINT NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    sent_at         BIGINT,
    UNIQUE (notification_id, channel)
);
CREATE INDEX deliveries_due ON deliveries(status, next_at);
