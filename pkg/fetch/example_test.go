package fetch_test

import (
	"context"
	"fmt"
	"log"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/fetch"
)

// Example shows how the validation engine uses the scheduler and the cache:
// one Run per validation run, Fetch per CA (deduplicated), the raw objects
// read from the Result's Source, and Promote once the engine has validated
// a publication point's manifest.
func Example() {
	store, err := cache.Open("/var/cache/validator", cache.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	sched, err := fetch.New(fetch.Options{Cache: store}) // FallbackStale by default
	if err != nil {
		log.Fatal(err)
	}
	run := sched.NewRun(context.Background())
	defer run.Close()

	ca := fetch.Repo{Notify: "https://rrdp.ripe.net/notification.xml", Rsync: "rsync://rpki.ripe.net/repository/DEFAULT/"}
	res := run.Fetch(ca)
	if res.Source == "" {
		// Nothing fetched, ever: fall back to the last validated copy.
		if pp, err := store.Valid(nil, ca.Rsync); err == nil {
			fmt.Println(len(pp.Files), "validated files")
		}
		return
	}
	raw, err := store.Repo(res.Source)
	if err != nil {
		log.Fatal(err)
	}
	pp, err := raw.PubPoint(ca.Rsync)
	if err != nil {
		log.Fatal(err)
	}
	// ... validate the manifest, CRL and hashes of the files, then:
	fmt.Println(len(pp.Files), "fetched files")
	if err := store.Promote(raw, nil, ca.Rsync); err != nil {
		log.Fatal(err)
	}
}
