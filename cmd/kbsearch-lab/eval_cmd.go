package main

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/eval"
)

func newEvalCmd(g *globals) *cobra.Command {
	var (
		irDir, docs, queries, qrels, name string
		recency                           string
		depth                             int
		r                                 search.Ranking
		perQuery                          bool
		path, pathFree                    bool
		diff                              float64
	)
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Measure ranking quality on standard test collections",
		Long: `eval indexes a test collection through the same mapping and search code the
service uses, runs every judged query as free text, and prints nDCG@10,
MAP@depth, P@10, Recall@100 and MRR as trec_eval defines them, with the index
time and the query latency (p50/p95 of a first page of 10, p50 of a page of
100). The first --depth results of each query are scored (default 100, as the
peers' figures: trec_eval map at -M100); the header line says which.

Either --ir DIR (runs CISI, CACM and Medline from DIR/cisi, DIR/cacm,
DIR/medline) or --docs, --queries and --qrels (SMART or TREC formats,
detected). The ranking flags exist to study the levers; the service always
runs the defaults.

--path also measures each collection through the product's own path: the
collection is rendered as a website (listing pages, one page per document:
title in <title> and <h1>, text in <main>), served on 127.0.0.1, crawled as
"kbsearch crawl" does by default but with --delay 0, indexed as "kbsearch
index" does and searched as "kbsearch serve" does, each hit's URL mapped back
to its document id. The queries go as a user would type them (--path-free-text:
as the in-process run sends them). Both runs are printed side by side, then
the queries whose nDCG@10 differs by more than --diff, and the queries that
failed through the path (they score 0).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var cols []eval.Collection
			switch {
			case irDir != "" && docs == "":
				var err error
				if cols, err = eval.LoadStandard(irDir); err != nil {
					return err
				}
			case docs != "" && queries != "" && qrels != "" && irDir == "":
				if name == "" {
					name = filepath.Base(docs)
				}
				c, err := eval.Load(name, docs, queries, qrels)
				if err != nil {
					return err
				}
				cols = []eval.Collection{c}
			default:
				return fmt.Errorf("give either --ir DIR or all of --docs, --queries and --qrels")
			}
			if path {
				for _, n := range []string{"k1", "b", "title-weight", "rank-depth", "proximity", "feedback-docs", "feedback-depth", "feedback-terms", "feedback-mix", "feedback-prior", "feedback-raw", "recency"} {
					if cmd.Flags().Changed(n) {
						return errRankingFlags
					}
				}
			}
			if depth <= 0 {
				return fmt.Errorf("--depth %d: must be at least 1", depth)
			}
			if recency != "" {
				d, err := search.ParseRecency(recency)
				if err != nil {
					return fmt.Errorf("--recency: %w", err)
				}
				r.Recency = max(d, 0)
			}
			fmt.Fprintln(g.stdout, depthHeader(depth))
			tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(tw, "collection\tdocs\tqueries\tnDCG@10\tMAP@%d\tP@10\tR@100\tMRR\tindex s\tp50 ms\tp95 ms\tp50 ms (100)\t\n", depth)
			ins := make([]*eval.Report, len(cols))
			for i, c := range cols {
				rep, err := eval.Run(cmd.Context(), c, eval.Options{Ranking: r, Depth: depth, Logger: g.log})
				if err != nil {
					return err
				}
				ins[i] = rep
				m := rep.Mean
				fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f\t%.2f\t%.2f\t%.2f\t\n",
					rep.Name, rep.Documents, rep.Queries, m.NDCG10, m.AP, m.P10, m.R100, m.RR,
					rep.IndexTime.Seconds(), ms(rep.P50), ms(rep.P95), ms(rep.P50Deep))
				if perQuery {
					for _, q := range c.Queries {
						if s, ok := rep.PerQuery[q.ID]; ok {
							fmt.Fprintf(g.stderr, "%s\t%s\tndcg10=%.4f\tap=%.4f\n", rep.Name, q.ID, s.NDCG10, s.AP)
						}
					}
				}
			}
			if err := tw.Flush(); err != nil || !path {
				return err
			}
			paths := make([]*pathReport, len(cols))
			for i, c := range cols {
				p, err := runEvalPath(cmd.Context(), g, c, pathOptions{Depth: depth, FreeText: pathFree, NoFeedback: r.NoFeedback})
				if err != nil {
					return err
				}
				paths[i] = p
				if perQuery {
					for _, q := range c.Queries {
						if s, ok := p.PerQuery[q.ID]; ok {
							fmt.Fprintf(g.stderr, "%s\t%s\tpath\tndcg10=%.4f\tap=%.4f\n", p.Name, q.ID, s.NDCG10, s.AP)
						}
					}
				}
			}
			return printPathTables(g.stdout, depth, pathFree, diff, ins, paths)
		},
	}
	f := cmd.Flags()
	f.StringVar(&irDir, "ir", "", "directory holding cisi/, cacm/ and medline/ (e.g. ../shared/data/ir)")
	f.StringVar(&docs, "docs", "", "documents file (SMART .I records or TREC <DOC>s)")
	f.StringVar(&queries, "queries", "", "queries file (SMART .I records)")
	f.StringVar(&qrels, "qrels", "", "judgments file (TREC qrels or SMART qid docid pairs)")
	f.StringVar(&name, "name", "", "collection name in the table (default: the documents file name)")
	f.IntVar(&depth, "depth", eval.DefaultDepth, "results scored per query: MAP is MAP@depth")
	f.Float64Var(&r.K1, "k1", 0, "BM25 k1 (0: default 1.2)")
	f.Float64Var(&r.B, "b", 0, "BM25 b (0: default 0.75)")
	f.Float64Var(&r.TitleWeight, "title-weight", 0, "BM25F title weight (0: default)")
	f.IntVar(&r.Depth, "rank-depth", 0, "candidates reranked (0: default)")
	f.Float64Var(&r.Proximity, "proximity", 0, "proximity bonus weight (0: default; negative: off)")
	f.StringVar(&recency, "recency", "", "recency boost half-life (5y, 90d; none by default, as in serve): the standard collections have no dates, so it changes nothing there")
	f.BoolVar(&r.NoFeedback, "no-feedback", false, "no pseudo-relevance feedback (RM3, on by default as in serve; with --path, serve's --no-feedback)")
	f.IntVar(&r.FeedbackDocs, "feedback-docs", 0, "feedback: best documents read (0: default 10)")
	f.IntVar(&r.FeedbackDepth, "feedback-depth", 0, "feedback: first-pass candidates the expanded query re-orders (0: default)")
	f.IntVar(&r.FeedbackTerms, "feedback-terms", 0, "feedback: expansion terms (0: default 10)")
	f.Float64Var(&r.FeedbackMix, "feedback-mix", 0, "feedback: weight of the query's own terms, 0..1 (0: default 0.7)")
	f.Float64Var(&r.FeedbackPrior, "feedback-prior", 0, "feedback: Dirichlet prior of the documents' term distributions, in tokens (0: default 200; negative: none)")
	f.BoolVar(&r.FeedbackRaw, "feedback-raw", false, "feedback: pick the expansion terms by their weight alone, not weight times idf")
	f.BoolVar(&perQuery, "per-query", false, "print each query's nDCG@10 and AP to stderr")
	f.BoolVar(&path, "path", false, "also measure through the product's path: render, serve, crawl, index, search")
	f.BoolVar(&pathFree, "path-free-text", false, "with --path, send the queries as the in-process run does (eval.FreeText), not as typed")
	f.Float64Var(&diff, "diff", 0.1, "with --path, list the queries whose nDCG@10 differs by more than this")
	return cmd
}

// depthHeader states which depth and which MAP the table's figures are.
func depthHeader(depth int) string {
	return fmt.Sprintf("# depth %d: each query's first %d results are scored; MAP@%d = mean over the judged queries of\n"+
		"# (sum of the precision at the rank of each relevant document within the first %d) / (relevant documents judged),\n"+
		"# trec_eval map with -M%d (= map_cut_%d); nDCG@10 is ndcg_cut_10; a query without results scores 0.",
		depth, depth, depth, depth, depth, depth)
}

// printPathTables prints the in-process and path figures side by side, the
// queries that differ and those that failed.
func printPathTables(w io.Writer, depth int, freeText bool, diff float64, ins []*eval.Report, paths []*pathReport) error {
	sent := "as typed (the query's text)"
	if freeText {
		sent = "as eval.FreeText, like the in-process run"
	}
	fmt.Fprintf(w, "\n# through the path: rendered as a website, served on 127.0.0.1, crawled (crawl defaults, --delay 0),\n"+
		"# indexed (index), searched (serve's Searcher, default ranking); queries sent %s; a failed query scores 0.\n", sent)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "collection\tdocs\tpages\tindexed\tfolded\tmissing\terrors\tnDCG@10 in\tpath\tdiff\tMAP@%d in\tpath\tdiff\tcrawl s\tindex s\tp50 ms\t\n", depth)
	for i, p := range paths {
		a, b := ins[i].Mean, p.Mean
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.3f\t%.3f\t%+.3f\t%.3f\t%.3f\t%+.3f\t%.2f\t%.2f\t%.2f\t\n",
			p.Name, p.Documents, p.Pages, p.Indexed, len(p.Duplicates), len(p.Missing), len(p.Errors),
			a.NDCG10, b.NDCG10, b.NDCG10-a.NDCG10, a.AP, b.AP, b.AP-a.AP,
			p.CrawlTime.Seconds(), p.IndexTime.Seconds(), ms(p.P50))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i, p := range paths {
		diffs := diffQueries(ins[i], p.Report, diff)
		fmt.Fprintf(w, "\n%s: %d of %d queries differ by more than %.2f in nDCG@10\n", p.Name, len(diffs), p.Queries, diff)
		if len(diffs) > 0 {
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "  query\tin\tpath\tdiff\tin top 3\tpath top 3\t")
			for _, d := range diffs {
				fmt.Fprintf(tw, "  %s\t%.3f\t%.3f\t%+.3f\t%s\t%s\t\n", d.ID, d.In.NDCG10, d.Path.NDCG10, d.Path.NDCG10-d.In.NDCG10,
					top3(d.InTop), top3(d.PathTop))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		if len(p.Errors) > 0 {
			fmt.Fprintf(w, "%s: %d queries failed through the path:\n", p.Name, len(p.Errors))
			ids := slices.SortedFunc(maps.Keys(p.Errors), compareIDs)
			for _, id := range ids {
				fmt.Fprintf(w, "  %s: %s\n", id, p.Errors[id])
			}
		}
		if len(p.Duplicates) > 0 {
			ids := slices.SortedFunc(maps.Keys(p.Duplicates), compareIDs)
			var pairs []string
			for _, id := range ids {
				pairs = append(pairs, id+"="+p.Duplicates[id])
			}
			fmt.Fprintf(w, "%s: %d documents folded into an identical page by the crawler: %s\n", p.Name, len(ids), strings.Join(pairs, " "))
		}
		if len(p.Missing) > 0 {
			fmt.Fprintf(w, "%s: %d documents not indexed: %s\n", p.Name, len(p.Missing), strings.Join(p.Missing[:min(20, len(p.Missing))], " "))
		}
		if p.Strays > 0 {
			fmt.Fprintf(w, "%s: %d indexed pages are no document\n", p.Name, p.Strays)
		}
	}
	return nil
}

// top3 is the first three ids of a ranking, or "-".
func top3(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	return strings.Join(ids[:min(3, len(ids))], " ")
}

func ms(d interface{ Seconds() float64 }) float64 { return d.Seconds() * 1000 }
