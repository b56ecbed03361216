-- A short quiz carried by an announcement, and managers' attempts: one per
-- manager, kept with its score; credit_hours are what a passed attempt
-- counts toward the manager's year (0 unless the bureau credits quizzes).
CREATE TABLE quizzes (
    id              INTEGER PRIMARY KEY,
    announcement_id BIGINT NOT NULL UNIQUE REFERENCES announcements(id),
    title           TEXT NOT NULL,
    questions       TEXT NOT NULL,
    pass_percent    INTEGER NOT NULL,
    closes_at       BIGINT NOT NULL,
    credit_hours    REAL NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);

CREATE TABLE quiz_attempts (
    id            INTEGER PRIMARY KEY,
    quiz_id       BIGINT NOT NULL REFERENCES quizzes(id),
    manager_id    BIGINT NOT NULL REFERENCES managers(id),
    person_id     BIGINT NOT NULL REFERENCES people(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    region_id     BIGINT NOT NULL,
    answers       TEXT NOT NULL,
    correct       INTEGER NOT NULL,
    total         INTEGER NOT NULL,
    passed        INTEGER NOT NULL,
    credit_hours  REAL NOT NULL DEFAULT 0,
    submitted_at  BIGINT NOT NULL,
    UNIQUE (quiz_id, manager_id)
);
CREATE INDEX quiz_attempts_credit ON quiz_attempts(person_id, submitted_at);
CREATE INDEX quiz_attempts_quiz ON quiz_attempts(quiz_id, region_id);
