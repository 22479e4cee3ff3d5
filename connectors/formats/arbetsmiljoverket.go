package formats

import (
	"context"
	"io"

	"github.com/vaksam/vaksam/engine/record"
)

func init() {
	register(record.Arbetsmiljoverket, func(ctx context.Context, r io.Reader, opt Options, sink Sink) error {
		return parseDecisions(ctx, r, opt, sink, record.Arbetsmiljoverket, avDecisionType)
	})
}
