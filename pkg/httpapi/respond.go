package httpapi

import (
	"github.com/openrpki/validator/pkg/state"

	"encoding/json"
	"net/http"
)

// errorBody is the JSON body of every error answer.
type errorBody struct {
	Error string `json:"error"`
}

// writeJSON writes v as indented JSON with the given status.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"httpapi: cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// writeError answers code with a JSON error message.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorBody{Error: msg})
}

// noData answers 503 before the first validation run has finished.
func noData(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "30")
	writeError(w, http.StatusServiceUnavailable, "no validated data yet: the first validation run has not finished")
}

// current returns the published state and the view of its table,
// answering 503 when there is none yet.
func (a *api) current(w http.ResponseWriter) (*state.State, *View) {
	st := a.o.State()
	if st == nil || st.Table == nil {
		noData(w)
		return nil, nil
	}
	return st, a.viewOf(st)
}
