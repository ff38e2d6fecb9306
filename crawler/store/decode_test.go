package store

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
)

// decode reads what encoding/json wrote, as encoding/json reads it, and
// gives ErrCorrupt (never a panic) for damaged bytes.
func TestDecodeAsEncodingJSON(t *testing.T) {
	t.Parallel()
	rec := fullRecord()
	rec.Page.Text = "caf\xe9 \u00e9t\u00e9 \"quoted\" <b>&amp;</b>\n\ttab" // invalid UTF-8 is coerced on the way in
	v, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var want Record
	if err := json.Unmarshal(v, &want); err != nil {
		t.Fatal(err)
	}
	got, err := decode(v)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("decode:\n got %+v\nwant %+v", got, want)
	}
	// Names in another case, as encoding/json accepts them.
	if got, err := decode([]byte(`{"URL":"u","Status":200}`)); err != nil || got.URL != "u" || got.Status != 200 {
		t.Errorf("decode with capitalised names: %+v, %v", got, err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		b := []byte(string(v))
		switch i % 3 {
		case 0:
			b = b[:r.IntN(len(b))]
		default:
			for range 1 + r.IntN(4) {
				b[r.IntN(len(b))] = byte(r.IntN(256))
			}
		}
		var ref Record
		refErr := json.Unmarshal(b, &ref)
		got, err := decode(b)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("%q: decode error %v, encoding/json's %v", b, err, refErr)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%q: %v is not ErrCorrupt", b, err)
		}
		if err == nil && !reflect.DeepEqual(*got, ref) {
			t.Fatalf("%q: decode gives %+v, encoding/json %+v", b, got, ref)
		}
	}
}
