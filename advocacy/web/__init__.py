"""Web helpers every app's pages use and that know nothing of any app (paging). Not a Django app: it
imports none of ours, so any app may import it."""
