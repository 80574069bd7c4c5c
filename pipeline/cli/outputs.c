/*
 * outputs.c: one report, three formats.
 */
#include "outputs.h"
#include "tm/report.h"

static void said(const char *path, void *payload)
{
    fprintf((FILE *)payload, "csv:      %s\n", path);
}

int tm_cli_write_report(const json_t *report, tm_out_format fmt, const char *out, int redacted,
                        FILE *say, tm_err *err)
{
    int rc;
    switch (fmt) {
    case TM_OUT_CSV:
        return tm_render_csv(report, out, say ? said : NULL, say, err);
    case TM_OUT_HTML:
        rc = tm_render_html(report, out, redacted, err);
        if (rc == TM_OK && say) fprintf(say, "html:     %s\n", out);
        return rc;
    case TM_OUT_JSON:
    default:
        rc = tm_report_write(report, out, err);
        if (rc == TM_OK && say) fprintf(say, "report:   %s\n", out);
        return rc;
    }
}
