package lang

import "strings"

const numLangs = 7 // len(Supported)

// stopWords are the most frequent function words of each language, in the
// order of Supported. A word listed for several languages is shared.
var stopWords = [numLangs]string{
	// en
	`the of and to a in is that for it as was with be by on not he this are or his from at which
	but have an they you were her she there been one all we their has would when if will more
	no out so can said what its about into than them only other new some could these may
	should also such our between however where through while`,
	// fr
	`le la les de des du un une et est en que qui dans pour pas sur au aux avec ce cette ces
	il elle ils elles nous vous sont ont été être par plus ne se sa son ses leur leurs mais ou
	où comme tout tous toutes fait peut aussi entre dont sans sous chez très après avant lors
	qu d l c s j n m à`,
	// de
	`der die das und ist nicht zu den von mit sich des auf für im dem ein eine einer eines einem
	einen als auch es an er hat aus bei wird sind nach wie noch wurde werden sie ihr ihre oder
	aber vor zur zum bis mehr durch kann nur über unter können muss sowie diese dieser dieses
	wir uns schon wenn dass weil zwischen gibt`,
	// it
	`il lo la gli le di del della dei delle degli dello da dal dalla in nel nella nei nelle con su
	sul sulla per tra fra che non è sono un una uno ed come anche più ma se questo questa questi
	queste quello essere ha hanno suo sua loro al alla ai alle all dell nell sull quale cui
	molto già può possono stato stati viene`,
	// es
	`el la los las de del un una unos unas y en que es por para con no se su sus al lo como más
	pero sin sobre este esta estos estas entre cuando también muy hay son fue ha han ser está
	están desde hasta donde porque todo todos otra otros ya le les nos sido puede pueden`,
	// pt
	`o a os as de do da dos das um uma uns umas e em no na nos nas que é por para com não se seu
	sua seus suas ao aos à às como mais mas sem sobre este esta estes estas entre quando também
	muito há são foi ser está estão pelo pela pelos pelas até onde porque já nem isso ele ela`,
	// nl
	`de het een en van in is dat op te zijn met voor niet aan er die door als ook bij maar om
	dan uit naar wordt worden werd tot heeft hebben kan kunnen zal meer nog wel deze dit geen
	over onder hun zij wij ze ik je hij zich tussen omdat waar wat wie`,
}

// stopIndex maps a function word to the indexes of the languages listing it.
var stopIndex = func() map[string][]int {
	m := make(map[string][]int)
	for l, list := range stopWords {
		for _, w := range strings.Fields(list) {
			if len(m[w]) == 0 || m[w][len(m[w])-1] != l {
				m[w] = append(m[w], l)
			}
		}
	}
	return m
}()

// letterHint maps letters that, among the supported languages, only one
// commonly uses to that language's index.
var letterHint = map[rune]int{
	'ß': 2, 'ä': 2, 'ö': 2, 'ü': 2, // de
	'ç': 1, 'œ': 1, 'ê': 1, 'î': 1, 'û': 1, 'ë': 1, // fr
	'ñ': 4,         // es
	'ã': 5, 'õ': 5, // pt
	'ì': 3, 'ò': 3, // it
}

// suffixes are word endings that, among the supported languages, mark one
// language, by language index; a word needs two letters before the ending.
var suffixes = [numLangs][]string{
	{"ing", "ness", "ship", "ful"},
	{"eux", "euse", "ère", "ée", "ées", "aux", "eau", "eaux", "ité", "ités", "ique", "iques", "ienne"},
	{"ung", "ungen", "keit", "heit", "lich", "liche", "schaft", "isch", "ische", "chen"},
	{"zione", "zioni", "ità", "mente", "ggio", "ione", "ioni", "iche", "ziale"},
	{"ción", "ciones", "sión", "ión", "dad", "dades", "ería", "ando", "iendo"},
	{"ção", "ções", "são", "ões", "ão", "dade", "dades", "mento", "inha"},
	{"heid", "lijk", "lijke", "isch", "ering", "tje", "ijk"},
}

// suffixesByLast lists the endings of suffixes by their last byte, each
// with its language, so that suffixHint compares a word with the few
// endings that can match it.
var suffixesByLast = func() (t [256][]langSuffix) {
	for l, list := range suffixes {
		for _, suf := range list {
			c := suf[len(suf)-1]
			t[c] = append(t[c], langSuffix{l, suf})
		}
	}
	return t
}()

type langSuffix struct {
	lang int
	suf  string
}

// suffixHint returns the language whose typical ending w has, if exactly
// one does.
func suffixHint(w []byte) (int, bool) {
	if len(w) == 0 {
		return 0, false
	}
	found := -1
	for _, e := range suffixesByLast[w[len(w)-1]] {
		if len(w) >= len(e.suf)+2 && string(w[len(w)-len(e.suf):]) == e.suf {
			if found >= 0 && found != e.lang {
				return 0, false
			}
			found = e.lang
		}
	}
	return found, found >= 0
}
