// Package shutdown stops a service in order, within a budget, and never
// hangs: on SIGINT or SIGTERM it stops accepting requests, finishes the ones
// in flight, stops the background work, closes the database, flushes the
// logs, and exits; a second signal exits at once.
//
//	func main() {
//		c := shutdown.New(shutdown.WithDelay(5*time.Second), shutdown.WithTimeout(15*time.Second))
//		db := openDB()
//		c.Add("db", func(ctx context.Context) error { return db.Close() })
//		ln, err := net.Listen("tcp", ":8080")
//		if err != nil {
//			log.Fatal(err)
//		}
//		mux.Handle("/ready", c.Ready())
//		c.Serve("http", &http.Server{Handler: mux}, ln)
//		os.Exit(c.ExitCode()) // waits for a signal, then stops http, then db
//	}
//
// New subscribes to the signals before it returns, so a SIGTERM that arrives
// while the service is still starting is not lost. The service keeps
// running until the first signal, or a call to Trigger. Then Context is
// cancelled and Ready answers 503 at once; after the WithDelay delay the
// steps run, one at a time, in the reverse order of Add (Serve adds one
// too), like deferred calls.
//
// # Budgets
//
// The WithTimeout budget (15 seconds by default) is shared by all steps and
// counts from the end of the delay. Each step's context ends at the
// earlier of its own StepTimeout and the end of the budget, and is never
// already cancelled when the step starts: a step that starts with less
// than one second of the budget left, or after it is spent, still gets one
// second (or the whole budget, if that is shorter) rather than being cut
// short or skipped, so the log flush at the end runs even after the
// database hung.
//
// A step that has not returned half a second after its context ended is
// stuck. It is logged with the stacks of its goroutines (the step runs on
// a goroutine labelled leakproof.pkg=shutdown, leakproof.name=<step>, and
// the goroutines it starts inherit those pprof labels), named in the error
// Wait returns, and abandoned: Go cannot stop a goroutine from outside, so
// it runs on until it returns. The next step starts at once. The shutdown
// can thus take up to half a second longer than delay plus budget, plus
// one and a half seconds for each step that starts in the budget's last
// second or after it.
//
// # Signals and exit codes
//
// The first signal triggers the shutdown, or is only logged if Trigger
// already did. The second one, at any time before Wait returns, forces the
// exit at once: it logs "shutdown forced"
// with the step that was running and calls the WithExit function (os.Exit)
// with 128+n for signal n, 130 for SIGINT and 143 for SIGTERM, the codes a
// shell reports. A program that ends with os.Exit(c.ExitCode()) exits 0
// after a clean shutdown, also one begun by SIGTERM; 1 if a step failed,
// timed out, got stuck or panicked; or the code of the cause given to
// Trigger (see Trigger).
//
// Every event goes to the WithLogger logger as a structured record whose
// message starts with "shutdown".
//
// # Kubernetes
//
// When a pod is deleted, Kubernetes removes it from the Service's endpoints
// and sends SIGTERM at about the same time. The removal takes a few seconds
// to reach kube-proxy, ingress controllers and cloud load balancers, and
// meanwhile they still send new connections. A server that stops listening
// at SIGTERM refuses them. WithDelay covers that window: the service keeps
// serving for the delay while Ready answers 503, for load balancers that
// probe the pod themselves, and Serve turns keep-alives off, so clients
// move to new connections that land elsewhere. Five seconds is a common
// delay; a preStop hook that sleeps does the same job, and its time counts
// too.
//
// Point the readinessProbe at Ready (and the livenessProbe elsewhere: a
// liveness failure restarts the container). Kubernetes sends SIGKILL
// terminationGracePeriodSeconds (30 by default) after the preStop hook
// began, so make
//
//	preStop + delay + budget + margin < terminationGracePeriodSeconds
//
// with a margin for the overrun described above; a 5s delay and the 15s
// default budget fit the default with 10 seconds to spare. Kubernetes
// sends only one SIGTERM: the forced exit is for a human at a terminal.
//
// # Limits
//
// Steps run one after the other, never in parallel; a step that must stop
// several things at once starts and joins its own goroutines, for example
// with package group. Serve drains net/http servers; other servers are
// stopped by a step of their own.
package shutdown
