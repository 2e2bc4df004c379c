// Package pdf prints HTML documents to PDF with a headless Chromium, the same
// engine that renders them on screen, so the PDF is the page as printed.
//
// Chromium is found on the PATH (chromium, chromium-browser, google-chrome) or
// named by CHROMIUM_PATH. Without it there is no PDF: the documents still
// print from the browser, with the same print stylesheet.
package pdf

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ErrUnavailable means no Chromium was found.
var ErrUnavailable = errors.New("pdf: no Chromium installed")

// Find returns the path of a Chromium, or "".
func Find() string {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Printer keeps one browser, started on the first document and shared by the
// next ones, each printed in a tab of its own. At most two print at once: a
// print takes a core for a few hundred milliseconds.
type Printer struct {
	path  string
	slots chan struct{}

	mu      sync.Mutex
	browser context.Context
	stop    func()
}

// New returns a printer using the Chromium at path; nil when path is "".
func New(path string) *Printer {
	if path == "" {
		return nil
	}
	return &Printer{path: path, slots: make(chan struct{}, 2)}
}

// Available reports whether PDFs can be made.
func (p *Printer) Available() bool { return p != nil }

// Print renders a complete HTML document and returns it as PDF, with the page
// size and margins of the document's own print stylesheet (A4).
func (p *Printer) Print(ctx context.Context, html string) ([]byte, error) {
	if p == nil {
		return nil, ErrUnavailable
	}
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	browser, err := p.start()
	if err != nil {
		return nil, err
	}
	tab, cancel := chromedp.NewContext(browser)
	defer cancel()
	tab, cancelTimeout := context.WithTimeout(tab, 30*time.Second)
	defer cancelTimeout()
	stop := context.AfterFunc(ctx, cancel) // the request gone, the tab goes too
	defer stop()
	err = chromedp.Do(tab, chromedp.Navigate("about:blank"), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return err
		}
		_, err = chromedp.Call(ctx, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: html})
		return err
	}))
	if err != nil {
		p.reset()
		return nil, err
	}
	out, err := chromedp.Run(tab, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground(), chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		p.reset()
	}
	return out, err
}

// start launches the browser once, without the network and without any state
// kept between runs.
func (p *Printer) start() (context.Context, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.browser != nil && p.browser.Err() == nil {
		return p.browser, nil
	}
	dir, err := os.MkdirTemp("", "triade-pdf-")
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(p.path),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(dir),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	if err := chromedp.Do(browser); err != nil {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(dir)
		return nil, err
	}
	p.browser = browser
	p.stop = func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(dir) }
	return browser, nil
}

// reset drops a browser that failed, so that the next print starts another.
func (p *Printer) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		p.stop()
	}
	p.browser, p.stop = nil, nil
}

// Close stops the browser.
func (p *Printer) Close() {
	if p != nil {
		p.reset()
	}
}
