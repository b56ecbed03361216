// Package store holds all of envhome's SQL. Each query is written once with
// ? placeholders for both SQLite and PostgreSQL; real differences between the
// two live in dialect.go.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/maphash"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"

	"github.com/envhome/envhome/internal/model"
)

// Store is envhome's database. On SQLite every write goes through one writer
// connection (BEGIN IMMEDIATE) and reads through a pool: SQLite allows one
// writer at a time, and connections queueing on its lock are slower and
// have multi-second tails. On PostgreSQL both are the same pool.
type Store struct {
	dialect Dialect
	w       *sql.DB
	r       *sql.DB
	now     func() time.Time
	// back is how far Now runs behind the clock: the demo writes its
	// history months back through the same code as users' writes.
	back  atomic.Int64
	owner *os.File // the claim of the process serving a SQLite file
	// stmts caches prepared statements by query text on SQLite, where
	// parsing a statement costs more than running it; pgx keeps its own
	// per-connection cache on PostgreSQL.
	stmts  sync.Map // stmtKey → *sql.Stmt
	uses   stmtUses
	tokens tokenCache
	// pii seals personal information at rest (nil: kept in clear).
	pii *PIIKeys
	// security caches the security settings for a few seconds.
	security securityCache
	// gate queues SQLite writers first come, first served. database/sql
	// hands a freed connection to a waiter in no set order, which under a
	// registration rush left some bookings waiting 4× the mean; a channel
	// serves its blocked senders in order.
	gate  chan struct{}
	queue chan *writeReq
	// turns queues PostgreSQL write transactions first come, first served
	// for the same reason: with 64 bookings waiting on 16 connections the
	// pool's random hand-over gave some of them 4× the mean wait (bench
	// rush: bare p99 91–141 ms, 54–70 ms in turns).
	turns chan struct{}
	// parts are the towns' figures' counts (sums.go).
	parts []*sumPart
	// stopListen ends the PostgreSQL token listener; listening closes
	// when it has (tokensync.go).
	stopListen context.CancelFunc
	listening  chan struct{}
	// used gathers bearer tokens' last-use times (tokenuse.go).
	used usedTokens
	// ckpt copies a SQLite file's log back into it (checkpoint.go).
	ckpt *checkpoints
	// beforePlace, set only by tests, runs between a PostgreSQL booking's
	// decision and its placing (bookOn), where other writes may move its
	// facts.
	beforePlace func()
}

// take waits, in order of arrival, for a place in a queue (gate or
// turns; nil: there is none, as the other dialect's); give leaves it.
// Blocked senders on a channel are served in order.
func take(ctx context.Context, queue chan struct{}) error {
	if queue == nil {
		return nil
	}
	select {
	case queue <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func give(queue chan struct{}) {
	if queue != nil {
		<-queue
	}
}

type stmtKey struct {
	db *sql.DB
	q  string
}

// Options tune Open.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxConns caps PostgreSQL connections (default 16).
	MaxConns int
	// Serve marks the process that serves a SQLite file: only one may
	// (ErrOwned for a second). Commands such as backup open it beside.
	Serve bool
	// PIIKeys seal ID numbers at rest; nil keeps them in clear.
	PIIKeys *PIIKeys
	// LogPages is how long SQLite's write-ahead log may grow, in 4 KiB
	// pages, before the writer copies it back itself (checkpoint.go);
	// 0 means longLog.
	LogPages int
}

// Warm opens the read pool's connections now and keeps them open while
// idle, as a serving process wants: a registration rush at nine in the
// morning should not wait for the connections a quiet night let go. On
// PostgreSQL each new backend also reads the catalog for every table it
// first touches; Warm has it read those a booking and a sign-in touch.
// In a rush on a fresh server (bench rush) each client's first booking
// took 105–138 ms at the median without HTTP, 50–78 ms after Warm. The
// error says what could not be opened or read; the store works without:
// the pool opens a connection when it is needed, as before.
func (s *Store) Warm(ctx context.Context) error {
	s.r.SetConnMaxIdleTime(0)
	conns := make([]*sql.Conn, s.r.Stats().MaxOpenConnections)
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i := range conns {
		wg.Go(func() {
			conns[i], errs[i] = s.r.Conn(ctx)
			if errs[i] == nil {
				_, errs[i] = conns[i].ExecContext(ctx, `SELECT 1 FROM classes, courses, bookings, managers, people, enterprises, audit_log, api_tokens, users, sessions WHERE false`)
			}
		})
	}
	wg.Wait()
	for _, c := range conns {
		if c != nil {
			c.Close() // back to the pool, which keeps them idle; a broken one is dropped
		}
	}
	return errors.Join(errs...)
}

// ErrOwned is the refusal of a second server on one SQLite file.
var ErrOwned = errors.New("another envhome process is serving this SQLite database; stop it first, or use PostgreSQL to run several")

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn: a postgres:// URL or a SQLite file path.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	s := &Store{now: opt.Now, pii: opt.PIIKeys}
	for _, p := range s.sumParts() {
		s.parts = append(s.parts, &p)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if IsPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		n := opt.MaxConns
		if n <= 0 {
			n = 16
		}
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.dialect, s.w, s.r = Postgres, db, db
		// Writers take at most three quarters of the connections: reads
		// (a token's first lookup, a page) never queue behind a rush.
		s.turns = make(chan struct{}, max(1, n*3/4))
		// Several processes share a PostgreSQL database: each caches token
		// lookups only while it listens for the others' revocations.
		lctx, stop := context.WithCancel(context.Background())
		s.stopListen, s.listening = stop, make(chan struct{})
		go s.listenTokens(lctx, dsn)
	} else {
		// The directory first: on a fresh machine neither it nor the
		// owner file beside the database exists yet.
		if dir := filepath.Dir(dsn); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("sqlite: %w", err)
			}
		}
		if opt.Serve {
			owner, err := claimOwner(dsn)
			if err != nil {
				return nil, err
			}
			s.owner = owner
		}
		if err := openSQLite(s, dsn, cmp.Or(opt.LogPages, longLog)); err != nil {
			s.releaseOwner()
			return nil, err
		}
		s.tokens.enabled.Store(true)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Ping(pctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openSQLite(s *Store, path string, logPages int) error {
	if err := checkSQLiteFile(path); err != nil {
		return err
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_time_format=sqlite" +
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// The writer leaves checkpoints to their own connection until the log
	// is long (checkpoint.go). It gets a 16 MiB page cache (the readers SQLite's 2 MiB) and
	// keeps statement journals in memory rather than in temporary files. A
	// large import spills pages to the WAL mid-transaction instead of
	// holding them: with 64 MiB a 100,000-row roster import took 11.4 s
	// and 232 MiB at its peak, with 16 MiB 12.3 s and 133 MiB (bench
	// import), the cache and its overhead being most of it.
	w, err := sql.Open("sqlite", base+"&_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint("+strconv.Itoa(logPages)+")&_pragma=cache_size(-16384)&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The writer opens first so that WAL mode is set before readers connect.
	if err := w.Ping(); err != nil {
		w.Close()
		return sqliteOpenError(path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("sqlite: %w", err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)
	s.dialect, s.w, s.r = SQLite, w, r
	s.gate = make(chan struct{}, 1)
	s.queue = make(chan *writeReq, 4096)
	ck, err := startCheckpoints(base)
	if err != nil {
		w.Close()
		r.Close()
		return err
	}
	s.ckpt = ck
	return nil
}

// checkSQLiteFile refuses a file that exists but is not a SQLite database,
// before the driver can make a mess of it.
func checkSQLiteFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := f.Read(head)
	if n == 0 {
		return nil // empty file: SQLite makes it a database
	}
	if n < 16 || string(head) != "SQLite format 3\x00" {
		return fmt.Errorf("%s is not a SQLite database", path)
	}
	return nil
}

func sqliteOpenError(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return fmt.Errorf("cannot open SQLite database %s: %s", path, sqlite.ErrorCodeString[se.Code()])
	}
	return fmt.Errorf("cannot open SQLite database %s: %w", path, err)
}

// Dialect returns the database kind.
func (s *Store) Dialect() Dialect { return s.dialect }

// Now returns the store's clock reading in UTC.
func (s *Store) Now() time.Time { return s.now().Add(-time.Duration(s.back.Load())).UTC() }

// SetBack makes Now run d behind the clock (0 puts it right): for the demo
// to write months of history before the server starts.
func (s *Store) SetBack(d time.Duration) { s.back.Store(int64(d)) }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	if s.r != s.w {
		if err := s.r.PingContext(ctx); err != nil {
			return fmt.Errorf("database unreachable: %w", err)
		}
	}
	return nil
}

// Close closes the connections.
func (s *Store) Close() error {
	if s.stopListen != nil {
		s.stopListen()
		<-s.listening
	}
	s.stopTokenUses()
	s.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	err := s.ckpt.close()
	err = errors.Join(err, s.w.Close())
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	s.releaseOwner()
	return err
}

// releaseOwner gives up the claim on a SQLite file.
func (s *Store) releaseOwner() {
	if s.owner != nil {
		s.owner.Close()
		s.owner = nil
	}
}

// Tx is a transaction whose queries take ? placeholders.
type Tx struct {
	tx   *sql.Tx
	d    Dialect
	s    *Store
	db   *sql.DB
	miss []string
	// batch, in a group commit, replaces the callers' contexts: SQLite
	// rolls back the whole transaction when a statement is interrupted,
	// and one caller giving up must not undo the others' writes.
	batch context.Context
	// sums are the write's touches of the towns' figures (sums.go).
	sums *sumState
	// local holds, on SQLite, the multi-row statements this transaction
	// prepared (too many kinds to keep for good): an import runs the same
	// 200-row INSERT hundreds of times, and compiling it each time was a
	// tenth of the import. The transaction closes them when it ends.
	local map[string]*sql.Stmt
}

// maxLocalStmts bounds a transaction's own statements.
const maxLocalStmts = 32

func (t *Tx) ctx(ctx context.Context) context.Context {
	if t.batch != nil {
		return t.batch
	}
	return ctx
}

// prepared returns the cached prepared form of q for this transaction on
// SQLite, where parsing a statement costs more than running it (the
// booking transaction runs seven). Statements with many placeholders are
// the bulk paths' varying multi-row INSERTs: they are not cached.
func (t *Tx) prepared(ctx context.Context, q string) *sql.Stmt {
	if t.d != SQLite {
		return nil
	}
	if strings.Count(q, "?") > 24 {
		if st, ok := t.local[q]; ok {
			return st
		}
		if len(t.local) >= maxLocalStmts {
			return nil
		}
		st, err := t.tx.PrepareContext(ctx, q)
		if err != nil {
			return nil // the statement runs unprepared and reports its error
		}
		if t.local == nil {
			t.local = map[string]*sql.Stmt{}
		}
		t.local[q] = st
		return st
	}
	st, ok := t.s.stmts.Load(stmtKey{t.db, q})
	if !ok {
		// The transaction holds the writer's only connection, so the
		// statement is prepared after it ends, for the next one.
		t.miss = append(t.miss, q)
		return nil
	}
	return t.tx.StmtContext(ctx, st.(*sql.Stmt))
}

func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = t.ctx(ctx)
	if st := t.prepared(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, t.d.Rebind(q), args...)
}

func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = t.ctx(ctx)
	if st := t.prepared(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, t.d.Rebind(q), args...)
}

func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx = t.ctx(ctx)
	if st := t.prepared(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, t.d.Rebind(q), args...)
}

// write runs fn in a write transaction and commits when it returns nil.
//
// On SQLite, writes that queue up while another commits are run together
// (group commit): the goroutine whose turn it is takes up to maxBatch
// waiting writes, runs each inside a SAVEPOINT of one transaction, so a
// failing write is rolled back alone, and commits once. Pages that every
// booking touches (the class, the indexes' last leaves, the audit log) are
// then written to the WAL once per batch instead of once per write.
func (s *Store) write(ctx context.Context, write func(*Tx) error) error {
	// The towns' figures the write touched are brought up to date in it.
	fn := func(t *Tx) error {
		t.sums = nil
		if err := write(t); err != nil {
			t.sums = nil
			return err
		}
		return t.flushSums(ctx)
	}
	if s.gate == nil {
		if err := take(ctx, s.turns); err != nil {
			return err
		}
		defer give(s.turns)
		return s.inTx(ctx, s.w, fn)
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.queue <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	for {
		select {
		case err := <-req.done:
			return err
		case s.gate <- struct{}{}:
			s.runBatch()
			<-s.gate
		}
	}
}

// maxBatch bounds a group commit, and so the wait of its last write.
const maxBatch = 64

// writeReq is one write waiting for the SQLite writer.
type writeReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// runBatch runs the queued writes (the caller holds the gate).
func (s *Store) runBatch() {
	var batch []*writeReq
	for len(batch) < maxBatch {
		select {
		case r := <-s.queue:
			batch = append(batch, r)
			continue
		default:
		}
		break
	}
	switch len(batch) {
	case 0:
		return
	case 1:
		r := batch[0]
		r.done <- s.inTx(r.ctx, s.w, func(t *Tx) error { return safely(r.fn, t) })
		return
	}
	// The batch's own context: one caller giving up must not roll back
	// the others' writes.
	ctx := context.Background()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	t := &Tx{tx: tx, d: s.dialect, s: s, db: s.w, batch: ctx}
	errs := make([]error, len(batch))
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := t.Exec(ctx, `SAVEPOINT w`); err != nil {
			errs[i] = err
			continue
		}
		if errs[i] = safely(r.fn, t); errs[i] != nil {
			if _, err := t.Exec(ctx, `ROLLBACK TO w`); err != nil {
				// The transaction is unusable: nothing of it may commit.
				tx.Rollback()
				for j, r := range batch {
					if j <= i && errs[j] != nil {
						r.done <- errs[j]
					} else {
						r.done <- fmt.Errorf("rollback to savepoint: %w", err)
					}
				}
				return
			}
		}
		t.Exec(ctx, `RELEASE w`)
	}
	cerr := tx.Commit()
	for i, r := range batch {
		if errs[i] == nil && cerr != nil {
			errs[i] = fmt.Errorf("commit: %w", cerr)
		}
		r.done <- errs[i]
	}
	for _, q := range t.miss {
		s.stmt(ctx, s.w, q)
	}
}

// safely runs fn, turning a panic into an error for its caller, since it
// may run on another request's goroutine.
func safely(fn func(*Tx) error, t *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in write: %v", p)
		}
	}()
	return fn(t)
}

func (s *Store) inTx(ctx context.Context, db *sql.DB, fn func(*Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &Tx{tx: tx, d: s.dialect, s: s, db: db}
	defer func() {
		for _, q := range t.miss {
			s.stmt(ctx, db, q)
		}
	}()
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stmt returns a cached prepared statement for q on db (SQLite only), or
// errNotKept when q is not (yet) one to keep.
func (s *Store) stmt(ctx context.Context, db *sql.DB, q string) (*sql.Stmt, error) {
	k := stmtKey{db, q}
	if st, ok := s.stmts.Load(k); ok {
		return st.(*sql.Stmt), nil
	}
	if !s.uses.again(q) {
		return nil, errNotKept
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(k, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// errNotKept: run the statement unprepared.
var errNotKept = errors.New("statement not kept")

// maxKeptStmts bounds the prepared statements kept; the store's own texts
// are a few hundred.
const maxKeptStmts = 1024

// stmtUses decides which statements are kept prepared: a text from its
// second use, while fewer than maxKeptStmts are. Texts with ids written in
// (the towns' figures' touches, the search index writes) are used once;
// kept from their first use they filled the cache without end (700 after
// 100 enterprises were created). Texts seen once are remembered by hash,
// at most 4,096 at a time.
type stmtUses struct {
	mu   sync.Mutex
	seed maphash.Seed
	seen map[uint64]struct{}
	kept int
}

func (u *stmtUses) again(q string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.seen == nil {
		u.seed = maphash.MakeSeed()
		u.seen = map[uint64]struct{}{}
	}
	if u.kept >= maxKeptStmts {
		return false
	}
	h := maphash.String(u.seed, q)
	if _, ok := u.seen[h]; !ok {
		if len(u.seen) >= 4096 {
			clear(u.seen)
		}
		u.seen[h] = struct{}{}
		return false
	}
	delete(u.seen, h)
	u.kept++
	return true
}

// queryRow reads one row outside a transaction.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if s.dialect == SQLite {
		if st, err := s.stmt(ctx, s.r, q); err == nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return s.r.QueryRowContext(ctx, s.dialect.Rebind(q), args...)
}

// query reads rows outside a transaction.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.dialect == SQLite {
		st, err := s.stmt(ctx, s.r, q)
		if err == nil {
			return st.QueryContext(ctx, args...)
		}
		if err != errNotKept {
			return nil, err
		}
	}
	return s.r.QueryContext(ctx, s.dialect.Rebind(q), args...)
}

// exec writes outside an explicit transaction (one statement).
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s.dialect == SQLite {
		if err := take(ctx, s.gate); err != nil {
			return nil, err
		}
		defer give(s.gate)
		st, err := s.stmt(ctx, s.w, q)
		if err == nil {
			return st.ExecContext(ctx, args...)
		}
		if err != errNotKept {
			return nil, err
		}
	}
	return s.w.ExecContext(ctx, s.dialect.Rebind(q), args...)
}

// notFound turns sql.ErrNoRows into model's not-found error.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return model.NotFound()
	}
	return err
}

// scanAll reads every row with scan.
func scanAll[T any](rows *sql.Rows, err error, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
