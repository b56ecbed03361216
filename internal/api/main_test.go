package api_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
)

// TestMain reports how many API exchanges the run validated against the
// OpenAPI document (apptest checks every one).
func TestMain(m *testing.M) {
	code := m.Run()
	if testing.Verbose() {
		fmt.Printf("contract: %d API exchanges validated against the OpenAPI document\n", apptest.Checked.Load())
	}
	os.Exit(code)
}
