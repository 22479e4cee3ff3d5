package bus

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vaksam/vaksam/engine/store"
)

// The crash test runs the producer and publisher in a child process (this
// test binary again, selected by crashEnv) and kills it with SIGKILL.
const (
	crashEnv  = "VAKSAM_CRASH_CHILD" // the child's mode: produce or drain
	crashDir  = "VAKSAM_CRASH_DIR"
	crashURL  = "VAKSAM_CRASH_URL"
	crashOrgs = 12
)

// TestCrashChild is the child process; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	mode := os.Getenv(crashEnv)
	if mode == "" {
		return
	}
	st, err := store.Open(os.Getenv(crashDir), store.Options{Small: true})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	nc, err := Connect(asVaksam(os.Getenv(crashURL), "crash-child"))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	p := &Publisher{Store: st, JS: js, Signer: testSigner, Window: 16, Retry: 20 * time.Millisecond, MaxRetry: 100 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)
	c, err := newChurner(st, crashOrgs)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	switch mode {
	case "produce":
		// Work until killed, reporting each round and what is published.
		for i := 1; ; i++ {
			if err := c.round(); err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
			fmt.Printf("round %d published %d waiting %d\n", i, p.Stats().Published, st.OutboxDepth())
		}
	case "drain":
		for st.OutboxDepth() > 0 {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		nc.Close()
		if err := st.Close(); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Println("drained")
		os.Exit(0)
	}
}

// child is a running child process and the lines it printed.
type child struct {
	cmd   *exec.Cmd
	lines chan string
}

func startChild(t *testing.T, mode, dir, url string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+mode, crashDir+"="+dir, crashURL+"="+url)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan string, 1024)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case c.lines <- sc.Text():
			default: // the test reads only the newest progress
				<-c.lines
				c.lines <- sc.Text()
			}
		}
		close(c.lines)
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return c
}

// waitFor reads the child's lines until cond holds for one.
func (c *child) waitFor(t *testing.T, d time.Duration, cond func(line string) bool) string {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				t.Fatal("child exited")
			}
			if strings.HasPrefix(line, "error") {
				t.Fatalf("child: %s", line)
			}
			if cond(line) {
				return line
			}
		case <-timeout:
			t.Fatalf("child: no such line within %s", d)
		}
	}
}

func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.cmd.Wait()
}

// progress parses "round R published P waiting W".
func progress(line string) (round, published, waiting int) {
	f := strings.Fields(line)
	if len(f) == 6 && f[0] == "round" {
		round, _ = strconv.Atoi(f[1])
		published, _ = strconv.Atoi(f[3])
		waiting, _ = strconv.Atoi(f[5])
	}
	return
}

// TestCrashBetweenCommitAndPublish kills the producing process with
// SIGKILL twice: once with events committed that NATS could not take (the
// network to it cut), once while it publishes. Restarted, it delivers
// every event once, in order per organisation.
func TestCrashBetweenCommitAndPublish(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("in the child")
	}
	tn := startNATS(t)
	p := newProxy(t, tn.URL)
	dir := t.TempDir()

	// 1. NATS unreachable: rounds commit, nothing can be published.
	p.down()
	c := startChild(t, "produce", dir, p.URL())
	line := c.waitFor(t, 30*time.Second, func(l string) bool { r, _, w := progress(l); return r >= 3 && w > 0 })
	c.kill(t)
	_, _, waiting := progress(line)
	t.Logf("killed with NATS away: %s", line)

	// 2. NATS back: the restarted process publishes the backlog while it
	// produces more, and is killed in the middle of it.
	p.up()
	c = startChild(t, "produce", dir, p.URL())
	line = c.waitFor(t, 30*time.Second, func(l string) bool { _, pub, w := progress(l); return pub > 0 && w > 0 })
	c.kill(t)
	t.Logf("killed while publishing: %s", line)

	// 3. Restarted once more, it drains the outbox and stops.
	c = startChild(t, "drain", dir, p.URL())
	c.waitFor(t, 60*time.Second, func(l string) bool { return l == "drained" })
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("drain: %v", err)
	}

	st, err := store.Open(dir, store.Options{Small: true, ReadOnly: false})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := st.OutboxDepth(); n != 0 {
		t.Fatalf("%d events left in the outbox", n)
	}
	ch, err := newChurner(st, crashOrgs)
	if err != nil {
		t.Fatal(err)
	}
	n := verifyDelivered(t, tn.URL, st, ch.orgs)
	t.Logf("%d events delivered; %d were waiting at the first kill", n, waiting)
}
