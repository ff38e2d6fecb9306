// Package httpapi is the HTTP face of kbsearch: the JSON API under
// /api/v1, the health check and the research search page with its static
// assets (taken from package web).
//
// It owns the routes, the reading of query strings (their parameters are
// checked by package search, search.ParseValues, whose Request.Values
// search/client writes), the mapping of search error kinds to HTTP status codes
// (one function, statusOf), CORS for the origins allowed to embed the search
// box, request ids, access logging and panic recovery. The searching itself
// is done by a Backend, normally *search.Searcher.
//
// It is the only package of the module that imports gin. It must not import
// bleve or the crawler, nor open or build an index: everything it knows
// about an index comes through the Backend interface (search.Service and
// labels).
//
// Routes:
//
//	GET /api/v1/search          search; parameters below
//	GET /api/v1/documents/:id   one stored document and the documents like it
//	GET /api/v1/themes          {"themes":[...]}: the taxonomy with counts
//	GET /api/v1/suggest         completions of what is typed in a search box
//	GET /api/v1/export          the hits of a search as CSV, or RIS (format=ris)
//	GET /api/v1/feed            the newest documents of a search as an Atom feed
//	GET /api/v1/stats           documents by facet; the generation served, its build and crawl
//	GET /api/v1/openapi.json    the contract: an OpenAPI 3.1 document of all the above
//	GET /api/v1/refresh         the scheduled re-crawl's last run and next (Options.Refresh)
//	GET /healthz                {"status":"ok"}: the process is alive
//	GET /readyz                 {"status":"ready"}, or 503 while no sound index is served
//	GET /                       the research search page (hl or Accept-Language: en, fr, de)
//	GET /documents/:id          the page of one document (404 for no such document)
//	GET /static/*file           the pages' assets, assembled at start (assets.go)
//
// Search parameters: q (the query), theme, type, year, place, kind, lang
// (filters, each repeatable or comma-separated; values of one filter are
// OR-ed), from and to (YYYY, YYYY-MM or YYYY-MM-DD; from is the first
// instant of its period, to the last; a year outside 1678..2262 is clamped
// to that range, so to=9999 is no upper bound), sort (relevance, newest, oldest),
// page (1..search.MaxPage) and size (1..search.MaxSize), cursor (an
// answer's next_cursor: the hits after that page, at any depth; 410
// "cursor_expired" once a new generation changed the scores it holds),
// recency (a half-life such as 5y for the relevance order's recency boost,
// or off) and facets (year_theme: the matches by year and theme, for a
// chart). A bad value is answered with 400 and a message naming the
// parameter.
//
// Bounds: the routes that make the backend work (search, suggest, export,
// feed, documents) run under a deadline (Options.SearchTimeout, 3 s) derived
// from the request's context, so that a deadline or a client going away
// stops the work, and at most Options.MaxInFlight of them (one per
// processor) run at once, exports apart, at most Options.MaxExports (2),
// streamed a chunk of rows at a time. A request
// waits up to Options.QueueWait (1 s) for a slot. Past the deadline or
// the wait the answer is 503 with code "busy" and Retry-After: 1, counted
// by reason in kbsearch_http_rejected_total; kbsearch_http_inflight and
// kbsearch_http_queued show the slots in use and the requests waiting.
//
// The contract, openapi.json, is written by hand and embedded. The tests
// hold the handlers to it: every request and response of this package's
// tests goes through kin-openapi's validator (openapi_test.go), every route
// must be documented and every documented operation exercised.
//
// Fair use: with Options.RateLimit, each client address has a token
// bucket (golang.org/x/time/rate) over /api/v1, and a request over it gets
// 429 "rate_limited" with Retry-After. The client is the connection's
// peer unless that is one of Options.TrustedProxies (none by default), whose
// X-Forwarded-For is then believed. Serve bounds the connections in all
// (Options.MaxConns, under the open-file limit), per client address
// (Options.MaxConnsPerClient, excess closed at accept), and closes idle
// keep-alive connections after 5 s once 80% of the cap is open.
//
// Every error is a JSON body {"error":{"code":"...","message":"..."}}; the
// message of an internal error is never sent to the client, it is logged
// with the request id instead. That includes 404 and 405 (unknown routes
// and methods) and 431 for a request header over 64 KiB, checked by a
// middleware: Serve lets net/http read headers up to 256 KiB, past which
// net/http answers 431 itself, as text/plain, as it does 400 for a request
// that is not HTTP. Every GET route answers HEAD as well.
//
// A minimal server:
//
//	srv := httpapi.New(httpapi.Options{Backend: searcher, Logger: logger})
//	err := srv.Serve(ctx, "127.0.0.1:8080", func(a net.Addr) {
//		fmt.Println("listening on http://" + a.String())
//	})
package httpapi
