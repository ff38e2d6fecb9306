package main

import (
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/search"
	"github.com/kbsearch/kbsearch/search/eval"
)

func newEvalCmd(g *globals) *cobra.Command {
	var (
		irDir, docs, queries, qrels, name string
		depth                             int
		r                                 search.Ranking
		perQuery                          bool
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
runs the defaults.`,
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
			if depth <= 0 {
				return fmt.Errorf("--depth %d: must be at least 1", depth)
			}
			fmt.Fprintln(g.stdout, depthHeader(depth))
			tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(tw, "collection\tdocs\tqueries\tnDCG@10\tMAP@%d\tP@10\tR@100\tMRR\tindex s\tp50 ms\tp95 ms\tp50 ms (100)\t\n", depth)
			for _, c := range cols {
				rep, err := eval.Run(cmd.Context(), c, eval.Options{Ranking: r, Depth: depth, Logger: g.log})
				if err != nil {
					return err
				}
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
			return tw.Flush()
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
	f.BoolVar(&r.Feedback, "feedback", false, "pseudo-relevance feedback (RM3: 10 documents, 20 terms, mix 0.5)")
	f.BoolVar(&perQuery, "per-query", false, "print each query's nDCG@10 and AP to stderr")
	return cmd
}

// depthHeader states which depth and which MAP the table's figures are.
func depthHeader(depth int) string {
	return fmt.Sprintf("# depth %d: each query's first %d results are scored; MAP@%d = mean over the judged queries of\n"+
		"# (sum of the precision at the rank of each relevant document within the first %d) / (relevant documents judged),\n"+
		"# trec_eval map with -M%d (= map_cut_%d); nDCG@10 is ndcg_cut_10; a query without results scores 0.",
		depth, depth, depth, depth, depth, depth)
}

func ms(d interface{ Seconds() float64 }) float64 { return d.Seconds() * 1000 }
