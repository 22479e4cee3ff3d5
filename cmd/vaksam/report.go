package main

import (
	"context"

	"github.com/vaksam/vaksam/engine/service"
)

func runReport(ctx context.Context, a *app, args []string) (int, error) {
	return a.runEngine(service.Report, args, "report", service.ReportUsage, service.ReportAbout)
}
