package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// wireClient sends requests as a lean load tool (wrk, say)
// does: one keep-alive connection per worker, the request written as
// bytes, the answer read by net/http's own parser. Go's http.Client costs
// about as much CPU per request as the server it loads (a transport, two
// goroutines and channels per connection), and on one machine that CPU
// is taken from the server under test; the phones of a real rush are not
// on the server's cores.
type wireClient struct {
	addr  string
	conn  net.Conn
	r     *bufio.Reader
	w     *bufio.Writer
	dial  net.Dialer
	limit time.Duration
}

func newWireClient(baseURL string, timeout time.Duration) *wireClient {
	return &wireClient{addr: strings.TrimPrefix(baseURL, "http://"), limit: timeout}
}

// do sends one request and returns the answer's status; the body is read
// and dropped. A kept connection the server had closed (EOF or a reset
// before any answer) is dialled again once, as net/http's transport does.
func (c *wireClient) do(ctx context.Context, method, path, token string, body []byte) (int, error) {
	for {
		fresh := c.conn == nil
		if fresh {
			conn, err := c.dial.DialContext(ctx, "tcp", c.addr)
			if err != nil {
				return 0, err
			}
			c.conn, c.r, c.w = conn, bufio.NewReaderSize(conn, 4096), bufio.NewWriterSize(conn, 4096)
		}
		status, err := c.roundTrip(method, path, token, body)
		if err == nil {
			return status, nil
		}
		c.conn.Close()
		c.conn = nil
		closed := errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
		if fresh || !closed {
			return 0, err
		}
	}
}

func (c *wireClient) roundTrip(method, path, token string, body []byte) (int, error) {
	if c.limit > 0 {
		c.conn.SetDeadline(time.Now().Add(c.limit))
	}
	w := c.w
	w.WriteString(method)
	w.WriteByte(' ')
	w.WriteString(path)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(c.addr)
	if token != "" {
		w.WriteString("\r\nAuthorization: Bearer ")
		w.WriteString(token)
	}
	if body != nil {
		w.WriteString("\r\nContent-Type: application/json\r\nContent-Length: ")
		w.WriteString(strconv.Itoa(len(body)))
	}
	w.WriteString("\r\n\r\n")
	w.Write(body)
	if err := w.Flush(); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	if resp.Close {
		c.conn.Close()
		c.conn = nil
	}
	return resp.StatusCode, nil
}

func (c *wireClient) close() {
	if c.conn != nil {
		c.conn.Close()
	}
}

// rushPoster posts a booking for a worker: through Go's http.Client
// ("stdlib") or a wireClient per worker ("wire").
func rushPoster(kind string, urls []string, workers int) (post func(ctx context.Context, worker int, path, token string, body []byte) (int, error), closeAll func(), err error) {
	switch kind {
	case "wire":
		cs := make([]*wireClient, workers)
		for i := range cs {
			cs[i] = newWireClient(urls[i%len(urls)], 30*time.Second)
		}
		return func(ctx context.Context, worker int, path, token string, body []byte) (int, error) {
				return cs[worker].do(ctx, "POST", path, token, body)
			}, func() {
				for _, c := range cs {
					c.close()
				}
			}, nil
	case "stdlib":
		tr := &http.Transport{MaxIdleConnsPerHost: workers * 2, MaxConnsPerHost: workers * 2}
		client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
		return func(ctx context.Context, worker int, path, token string, body []byte) (int, error) {
			req, err := http.NewRequestWithContext(ctx, "POST", urls[worker%len(urls)]+path, bytes.NewReader(body))
			if err != nil {
				return 0, err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				return 0, err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode, nil
		}, tr.CloseIdleConnections, nil
	}
	return nil, nil, fmt.Errorf("unknown client %q", kind)
}
