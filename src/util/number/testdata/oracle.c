/* Fills in the expected values of one number test table from the C library.
 *
 *     oracle TABLE < TABLE.txt > TABLE.txt.new
 *
 * Reads a table (see README.md), keeps its comments and each record's input
 * fields, and writes every record again with the expected fields computed here:
 * glibc's strtod/strtold with Redis 7.0's acceptance rules, x87 long double
 * addition, and printf's %.17g, %.*Lf and %.17Lf. Build and run it on x86-64
 * Linux with glibc, where long double is the x87 80-bit type (see ./regen). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 100 /* physical line length, the trailing backslash included */
#define MAX_LONG_DOUBLE_CHARS (5 * 1024) /* Redis's buffer for long double text */

static void die(const char *msg, const char *rec) {
    fprintf(stderr, "oracle: %s: %s\n", msg, rec);
    exit(1);
}

/* ---- output: a record is one line, wrapped at WIDTH with backslashes ---- */

static char out[1 << 16];
static size_t outlen;

static void put(const char *s, size_t n) {
    if (outlen + n + 1 > sizeof out) die("record too long", "");
    memcpy(out + outlen, s, n);
    outlen += n;
}

static void field(const char *s) {
    if (outlen) put(" ", 1);
    put(s, strlen(s));
}

static void quoted(const char *s, size_t n) {
    char b[8];
    if (outlen) put(" ", 1);
    put("\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            b[0] = '\\';
            b[1] = (char)c;
            put(b, 2);
        } else if (c >= 0x20 && c < 0x7f) {
            put((const char *)&c, 1);
        } else {
            snprintf(b, sizeof b, "\\x%02x", c);
            put(b, 4);
        }
    }
    put("\"", 1);
}

static void end_record(void) {
    size_t p = 0;
    while (outlen - p > WIDTH) {
        fwrite(out + p, 1, WIDTH - 1, stdout);
        fputs("\\\n", stdout);
        p += WIDTH - 1;
    }
    fwrite(out + p, 1, outlen - p, stdout);
    fputc('\n', stdout);
    outlen = 0;
}

/* ---- input: records, with continuation lines joined, split into tokens ---- */

static char rec[1 << 16];

/* Reads the next record into rec; comment and blank lines are copied to the
 * output as they are. Returns 0 at the end of the input. */
static int next_record(void) {
    static char line[1 << 16];
    size_t n = 0;
    while (fgets(line, sizeof line, stdin)) {
        size_t l = strlen(line);
        if (l && line[l - 1] == '\n') line[--l] = '\0';
        if (n == 0 && (l == 0 || line[0] == '#')) {
            puts(line);
            continue;
        }
        int more = l && line[l - 1] == '\\';
        if (more) l--;
        if (n + l + 1 > sizeof rec) die("record too long", line);
        memcpy(rec + n, line, l);
        n += l;
        rec[n] = '\0';
        if (!more) return 1;
    }
    if (n) die("continuation at the end of the input", rec);
    return 0;
}

/* The next token of rec from *pos: a "quoted" string (\\, \" and \xHH
 * escapes) or a bare word. Its bytes go to buf; returns the length. */
static size_t token(size_t *pos, char *buf, size_t cap) {
    size_t p = *pos, n = 0;
    while (rec[p] == ' ') p++;
    if (!rec[p]) die("missing field", rec);
    if (rec[p] == '"') {
        for (p++; rec[p] != '"'; p++) {
            if (!rec[p]) die("unterminated string", rec);
            char c = rec[p];
            if (c == '\\') {
                p++;
                if (rec[p] == 'x') {
                    char h[3] = {rec[p + 1], rec[p + 2], 0};
                    c = (char)strtol(h, NULL, 16);
                    p += 2;
                } else if (rec[p] == '"' || rec[p] == '\\') {
                    c = rec[p];
                } else {
                    die("bad escape", rec);
                }
            }
            if (n + 1 >= cap) die("field too long", rec);
            buf[n++] = c;
        }
        p++;
    } else {
        while (rec[p] && rec[p] != ' ') {
            if (n + 1 >= cap) die("field too long", rec);
            buf[n++] = rec[p++];
        }
    }
    buf[n] = '\0';
    *pos = p;
    return n;
}

/* ---- the values ---- */

/* Redis's string2d (getDoubleFromObject): strtod with the whole input used, no
 * leading space, no overflow or underflow to zero, no NaN. */
static int string2d(const char *s, size_t len, double *d) {
    char *end;
    errno = 0;
    *d = strtod(s, &end);
    return !(len == 0 || isspace((unsigned char)s[0]) || (size_t)(end - s) != len ||
             (errno == ERANGE && (*d == HUGE_VAL || *d == -HUGE_VAL ||
                                  fpclassify(*d) == FP_ZERO)) ||
             isnan(*d));
}

/* Redis's string2ld: the same rules for strtold, and at most
 * MAX_LONG_DOUBLE_CHARS - 1 characters. */
static int string2ld(const char *s, size_t len, long double *v) {
    char *end;
    if (len == 0 || len >= MAX_LONG_DOUBLE_CHARS) return 0;
    errno = 0;
    *v = strtold(s, &end);
    return !(isspace((unsigned char)s[0]) || *end != '\0' || (size_t)(end - s) != len ||
             (errno == ERANGE && (*v == HUGE_VAL || *v == -HUGE_VAL ||
                                  fpclassify(*v) == FP_ZERO)) ||
             errno == EINVAL || isnan(*v));
}

static void hex(uint64_t v, int digits) {
    char b[24];
    snprintf(b, sizeof b, "0x%0*llx", digits, (unsigned long long)v);
    field(b);
}

/* A long double as its sign+exponent word, its mantissa and Redis's human
 * form (ld2string LD_STR_HUMAN: %.17Lf without trailing zeros, "-0" as "0"). */
static void long_double(long double v) {
    unsigned char raw[sizeof v];
    uint64_t mant;
    uint16_t se;
    static char b[2 * MAX_LONG_DOUBLE_CHARS];
    memcpy(raw, &v, sizeof v);
    memcpy(&mant, raw, 8);
    memcpy(&se, raw + 8, 2);
    hex(se, 4);
    hex(mant, 16);
    if (isinf(v)) {
        field(v > 0 ? "inf" : "-inf");
        return;
    }
    int l = snprintf(b, sizeof b, "%.17Lf", v);
    if (l + 1 > MAX_LONG_DOUBLE_CHARS) die("no room for %.17Lf", rec);
    if (strchr(b, '.')) {
        while (b[l - 1] == '0') l--;
        if (b[l - 1] == '.') l--;
    }
    b[l] = '\0';
    field(strcmp(b, "-0") == 0 ? "0" : b);
}

int main(int argc, char **argv) {
    static char a[1 << 16], c[1 << 16];
    char b[64];
    if (argc != 2) {
        fputs("usage: oracle strtod|g17|fixed|strtold|ldadd < TABLE.txt\n", stderr);
        return 2;
    }
    const char *t = argv[1];
    if (strcmp(t, "strtod") && strcmp(t, "g17") && strcmp(t, "fixed") &&
        strcmp(t, "strtold") && strcmp(t, "ldadd"))
        die("unknown table", t);
    while (next_record()) {
        size_t pos = 0;
        if (!strcmp(t, "strtod")) {
            /* input -> bits %.17g, or rejected */
            size_t n = token(&pos, a, sizeof a);
            double d;
            uint64_t bits;
            quoted(a, n);
            if (string2d(a, n, &d)) {
                memcpy(&bits, &d, 8);
                hex(bits, 16);
                snprintf(b, sizeof b, "%.17g", d);
                field(b);
            } else {
                field("rejected");
            }
        } else if (!strcmp(t, "g17")) {
            /* bits -> %.17g */
            token(&pos, a, sizeof a);
            uint64_t bits = strtoull(a, NULL, 16);
            double d;
            memcpy(&d, &bits, 8);
            hex(bits, 16);
            snprintf(b, sizeof b, "%.17g", d);
            field(b);
        } else if (!strcmp(t, "fixed")) {
            /* precision bits -> %.*Lf of the double */
            token(&pos, a, sizeof a);
            int prec = atoi(a);
            token(&pos, c, sizeof c);
            uint64_t bits = strtoull(c, NULL, 16);
            double d;
            memcpy(&d, &bits, 8);
            static char f[2 * MAX_LONG_DOUBLE_CHARS];
            snprintf(f, sizeof f, "%.*Lf", prec, (long double)d);
            field(a);
            hex(bits, 16);
            field(f);
        } else if (!strcmp(t, "strtold")) {
            /* input -> sign_exponent mantissa human, or rejected */
            size_t n = token(&pos, a, sizeof a);
            long double v;
            quoted(a, n);
            if (string2ld(a, n, &v)) long_double(v);
            else field("rejected");
        } else {
            /* a b -> their x87 sum as above, or rejected when NaN or infinite */
            size_t na = token(&pos, a, sizeof a);
            size_t nc = token(&pos, c, sizeof c);
            long double x, y;
            if (!string2ld(a, na, &x) || !string2ld(c, nc, &y))
                die("addend that string2ld rejects", rec);
            long double sum = x + y;
            quoted(a, na);
            quoted(c, nc);
            if (isnan(sum) || isinf(sum)) field("rejected");
            else long_double(sum);
        }
        end_record();
    }
    return 0;
}
