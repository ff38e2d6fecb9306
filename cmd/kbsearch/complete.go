package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/kbsearch/kbsearch/indexer"
	"github.com/kbsearch/kbsearch/search"
)

// The values of search's closed-set flags, in the order completion offers
// them.
var (
	formats = []string{"table", "json", "csv", "ris"}
	sorts   = []string{search.SortRelevance, search.SortNewest, search.SortOldest}
	types   = []string{indexer.TypeMinutes, indexer.TypeKeyMessages, indexer.TypeReport, indexer.TypeAgenda, indexer.TypePage}
	kinds   = []string{indexer.KindPlenary, indexer.KindPeerLearning, indexer.KindAdHoc, indexer.KindOnline}
)

// registerSearchCompletions offers the values of --theme (the ids of the
// taxonomy, --taxonomy or the built-in one, described by their labels),
// --type, --kind, --format and --sort to shell completion.
func registerSearchCompletions(cmd *cobra.Command, f *searchFlags) {
	label := search.Labels(nil)
	described := func(facet string, values []string) []string {
		out := make([]string, len(values))
		for i, v := range values {
			out[i] = v + "\t" + label(facet, v)
		}
		return out
	}
	fixed := map[string][]string{
		"type":   described("type", types),
		"kind":   described("kind", kinds),
		"format": {"table\ta table that fits the terminal", "json\tthe API's search object", "csv\tevery hit, up to 1,000, for a spreadsheet", "ris\tevery hit, up to 1,000, for a reference manager"},
		"sort":   {"relevance\tbest match first", "newest\tnewest first", "oldest\toldest first"},
	}
	for name, values := range fixed {
		list := name == "type" || name == "kind" // repeatable, comma-separated
		_ = cmd.RegisterFlagCompletionFunc(name, func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return complete(values, toComplete, list), cobra.ShellCompDirectiveNoFileComp
		})
	}
	_ = cmd.RegisterFlagCompletionFunc("theme", func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		tax, err := loadTaxonomy(f.taxFile)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		values := make([]string, len(tax.Themes))
		for i, th := range tax.Themes {
			values[i] = th.ID + "\t" + th.Label
		}
		return complete(values, toComplete, true), cobra.ShellCompDirectiveNoFileComp
	})
}

// complete keeps the values ("value\tdescription") that start with what
// is typed. For a list flag ("--theme oer,cod") it completes the last
// item, keeping those before it.
func complete(values []string, toComplete string, list bool) []string {
	done, typed := "", toComplete
	if i := strings.LastIndexByte(toComplete, ','); list && i >= 0 {
		done, typed = toComplete[:i+1], toComplete[i+1:]
	}
	var out []string
	for _, v := range values {
		if strings.HasPrefix(v, typed) {
			out = append(out, done+v)
		}
	}
	return out
}
