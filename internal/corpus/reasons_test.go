package corpus

// reason explains one group of known differences.
type reason struct {
	Title string
	// Open marks a difference that is not a choice but a gap still to be
	// closed (reported to the owner of the parser); it is listed so that
	// the conformance test pins it, not because it is right.
	Open bool
	Text string
}

// reasons are the justifications that Known refers to, by id.
var reasons = map[string]reason{
	"roa-ee-as": {
		Title: "ROA EE certificate with AS resources (RFC 9582 §5)",
		Text: "Every BBN ROA, good ones included, has an EE certificate carrying an AS Identifier " +
			"Delegation extension. RFC 9582 §5 forbids it in a ROA's EE certificate; the BBN suite " +
			"(2011) predates that rule. We follow the RFC, as rpki-client does (\"superfluous AS " +
			"Resources extension present\"), so these `good` cases are rejected. Because this check " +
			"comes first, most `badROA*` resource cases and `badCMSSigInfoBadSigVal`, " +
			"`badCMSSigInfoWrongSigAlg` and `badEEBadSig` are rejected for it too, before their own " +
			"fault is reached: the BBN suite does not exercise ROA resource containment or the CMS " +
			"signature check here.",
	},
	"cn-printable": {
		Title: "CommonName as a UTF8String (RFC 6487 §4.4, §4.5)",
		Text: "RFC 6487 asks for PrintableString names, and the BBN cases `badCertIssuerUtf`, " +
			"`badCertSubjectUtf` and `badCRLIssuerUTF` expect a UTF8String CommonName to be rejected. " +
			"x509rpki follows rpki-client instead, which leaves that check off (x509_valid_name) " +
			"because AFRINIC CA certificates and real TAK, RSC, SPL and ASPA samples use UTF8String " +
			"names; it accepts valid UTF-8 without control characters. Rejecting them would drop real " +
			"objects. So `badCertSubjectUtf`, whose only fault is its UTF8String subject, is accepted; " +
			"`badCertIssuerUtf` and `badCRLIssuerUTF` are still rejected, because their issuer name no " +
			"longer matches the issuer's subject byte for byte (RFC 6487 §4.4).",
	},
	"spl": {
		Title: "Signed Prefix List: rpki-client 8.2 has no SPL support",
		Text: "rpki-client 8.2 predates draft-ietf-sidrops-rpki-prefixlist and answers \"unsupported file " +
			"type\" (SOURCES.md, known gap 2). We parse it.",
	},
	"ber": {
		Title: "BER-encoded CMS (indefinite lengths)",
		Text: "These older RIPE NCC and rpki-validator test objects encode the CMS SignedData with " +
			"BER indefinite lengths. We read DER only and do no BER repair (house rule; X.690 DER is " +
			"what RFC 6488 signatures are computed over); rpki-client 8.2 accepts them through " +
			"OpenSSL's lenient CMS decoder.",
	},
	"not-cms": {
		Title: "Not a CMS object",
		Text: "The file does not start with a DER SEQUENCE; rpki-client rejects it as well (\"RFC 6488: " +
			"failed CMS parse\"). EXPECTED.tsv says accept only because it is a real published object " +
			"with no negative expectation.",
	},
	"aspa-profile": {
		Title: "ASPA profile: current draft, not draft-13",
		Text: "rpki-client 8.2 implements the old ASPA profile (draft-13, eContent without version " +
			"1 and with `afi_limit`). We implement the current draft-ietf-sidrops-aspa-profile " +
			"(version 1, a plain provider set), so the `BAD-profile-13` samples and rpki-prover's " +
			"`aspa.1.asa` (old profile, with AFI limits) are rejected, and the `GOOD-profile-15` samples " +
			"and AS204325.asa are accepted (SOURCES.md, known gap 1).",
	},
	"aia-one": {
		Title: "AIA with two access descriptions (RFC 6487 §4.8.7)",
		Text: "BBN calls an AIA with an http and an rsync (or two rsync) caIssuers entries good. " +
			"x509rpki follows rpki-client's strict reading and wants exactly one (\"AIA: want 1 " +
			"element, have 2\"). RFC 6487 §4.8.7 allows further URIs, so this is stricter than the RFC; " +
			"kept to match rpki-client, flagged for the parser owner.",
	},
	"crldp-one": {
		Title: "CRLDP with two distribution points (RFC 6487 §4.8.6)",
		Text: "RFC 6487 §4.8.6 allows one DistributionPoint only; BBN's `goodCertCRLDP2DistPt` has two. " +
			"Rejected, as rpki-client does (\"CRL: want 1 element, have 2\").",
	},
	"sia-nonuri": {
		Title: "SIA access location that is not a URI (RFC 6487 §4.8.8)",
		Text: "BBN's `*HasNonURI` cases add a GeneralName that is not a uniformResourceIdentifier next to " +
			"the rsync URI. Rejected, as rpki-client does (\"SIA: ... not URI\").",
	},
	"aia-not-rsync": {
		Title: "rpki-validator-3 test certificates without an rsync AIA",
		Text: "The bandito.ripe.net certificates from rpki-validator-3's RRDP test data have a caIssuers " +
			"URI that is not rsync (RFC 6487 §4.8.7). rpki-client rejects them too (for their http " +
			"rpkiNotify). EXPECTED.tsv says accept only because they are published objects.",
	},
	"unknown-critical": {
		Title: "Unknown critical extension (RFC 5280 §4.2)",
		Text: "rpki-prover's `extra_extensions.cer` marks an extension we do not know as critical. " +
			"RFC 5280 §4.2 says a certificate with an unrecognised critical extension MUST be " +
			"rejected; rpki-client 8.2 does not look in file mode.",
	},
	"aki-eq-ski": {
		Title: "AKI equal to SKI on a non-TA certificate (RFC 6487 §4.8.3)",
		Text: "The rpki-commons property-test ASPA sample is signed by an EE certificate whose AKI equals " +
			"its SKI, which only a self-signed trust anchor may have.",
	},
	"rpki-client-accepts-bad": {
		Title: "BBN `bad` cases that rpki-client 8.2 accepts",
		Text: "rpki-client 8.2 in file mode does not verify CRLs and checks certificates laxly " +
			"(SOURCES.md, known gap 3: 29 CRLs, 29 certificates, 2 GBRs, `badRootBadSig`). We reject " +
			"them, as the BBN suite and RFCs 5280, 6487, 6493 and 7935 require.",
	},
	"rpki-client-file-mode": {
		Title: "rpki-client file-mode artifacts (\"unable to get local issuer certificate\")",
		Text: "In its chain run, rpki-client 8.2 could not build the chain for these objects " +
			"(intermediate CAs using `inherit`, per-case CRLs; SOURCES.md, known gap 4). We validate " +
			"each one against its issuer from the same tree and accept it.",
	},
	"rpki-client-sia-http": {
		Title: "SIA with an http and an rsync URI (RFC 6487 §4.8.8)",
		Text: "RFC 6487 §4.8.8 requires an rsync URI and allows others; BBN calls these good. " +
			"rpki-client 8.2 rejects them (\"bad location\"). We accept them.",
	},
	"rpki-client-no-chain": {
		Title: "Real GBR whose chain is not in the corpus",
		Text: "`goodRealGbrNothingIsWrong.gbr` is a real RGnet object; rpki-client's chain run could " +
			"not find its issuer. We judge it on its own, as a real object (it has merely expired).",
	},
	"tal-name": {
		Title: "TAL name of a file with a dot in its name",
		Text: "rpki-client names a TAL after its file name up to the first dot, so " +
			"`rpki.net-testbed.tal` becomes `rpki`. We cut at `.tal` and print `rpki.net-testbed`.",
	},
}
