/*
 * beans' C reference: the lesson's per-sample SGD on the 1-2-1 sigmoid network, in plain C,
 * to show how close the numba kernels come to what a C compiler makes of the same loop.
 *
 *   scalar: one seed after another; each step waits for the previous one's exp and divide,
 *           so this is the latency-bound limit of a single-seed loop (compare with `jit`).
 *   lanes : all seeds advanced together, seeds the innermost contiguous axis, so the compiler
 *           vectorises across seeds, exp included (compare with `jit-many` at 1 thread).
 *
 * The arithmetic is sgd_python's, grouped the same way. Both variants are single-threaded.
 * beans/benchmark/c_reference.py builds each variant separately, so that each fuses multiply-adds exactly
 * when the numba kernel it is compared with does (GNU C would otherwise fuse by default):
 *   scalar: -ffp-contract=off, as sgd_jit (no fastmath): with the same libm exp, the very
 *           bits of sgd_python and sgd_jit.
 *   lanes : -ffp-contract=fast, as sgd_many (fastmath "contract", and its own 2-ulp vector
 *           exp where this calls libmvec's): within ~1e-12 of sgd_python.
 *
 * Built with -DBEANS_HIDDEN=H, the lanes variant trains a 1-H-1 sigmoid network instead
 * (sgd_lanes_hidden below): the same loop for a wider hidden layer, H fixed at compile time
 * as beans' generated kernels fix it, to compare those with C at the same shape.
 *
 * Usage:  sgd_c scalar|lanes REPEAT  < workload
 * The workload is text on stdin (written by beans/benchmark/c_reference.py):
 *     S N EPOCHS LR
 *     N values xs, N values ys, S*P start parameters (row per seed, in beans' parameter
 *     order; P = 7, or 3H+1 with BEANS_HIDDEN)
 * Each of the REPEAT runs starts again from the given parameters. Output on stdout:
 *     seconds T1 ... TREPEAT          wall time of each run (training loop only)
 *     params                          then S lines of P parameters in C99 hex floats (%a)
 * Exit status 2 on bad usage or input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef BEANS_SIMD_EXP
/* glibc declares exp's vector variants (libmvec) only under -ffast-math; declaring them here
 * lets the lanes loop call the packed exp while every other operation keeps IEEE semantics. */
#pragma omp declare simd notinbranch
double exp(double);
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* parameter order: w11_1 b1_1 w12_1 b2_1 w11_2 w21_2 b1_2; p is one seed's 7 values */
static void sgd_scalar(double *p, const double *xs, const double *ys, int n, long epochs, double lr) {
    double w11_1 = p[0], b1_1 = p[1], w12_1 = p[2], b2_1 = p[3];
    double w11_2 = p[4], w21_2 = p[5], b1_2 = p[6];
    for (long e = 0; e < epochs; e++)
        for (int i = 0; i < n; i++) {
            double x = xs[i], y = ys[i];
            double a1_1 = 1 / (1 + exp(-(w11_1 * x + b1_1)));
            double a2_1 = 1 / (1 + exp(-(w12_1 * x + b2_1)));
            double a1_2 = 1 / (1 + exp(-(w11_2 * a1_1 + w21_2 * a2_1 + b1_2)));
            double d_out = -2 * (y - a1_2) * (a1_2 * (1 - a1_2));
            double d_h1 = d_out * w11_2 * (a1_1 * (1 - a1_1));
            double d_h2 = d_out * w21_2 * (a2_1 * (1 - a2_1));
            w11_2 -= lr * (d_out * a1_1);
            w21_2 -= lr * (d_out * a2_1);
            b1_2 -= lr * d_out;
            w12_1 -= lr * (d_h2 * x);
            b2_1 -= lr * d_h2;
            w11_1 -= lr * (d_h1 * x);
            b1_1 -= lr * d_h1;
        }
    p[0] = w11_1; p[1] = b1_1; p[2] = w12_1; p[3] = b2_1;
    p[4] = w11_2; p[5] = w21_2; p[6] = b1_2;
}

/* P holds 7 rows of S seeds each, P[k*S + s]: seed s's parameter k */
static void sgd_lanes(double *restrict P, int S, const double *xs, const double *ys, int n, long epochs,
                      double lr) {
    double *restrict w11_1 = P, *restrict b1_1 = P + S, *restrict w12_1 = P + 2 * S;
    double *restrict b2_1 = P + 3 * S, *restrict w11_2 = P + 4 * S, *restrict w21_2 = P + 5 * S;
    double *restrict b1_2 = P + 6 * S;
    for (long e = 0; e < epochs; e++)
        for (int i = 0; i < n; i++) {
            double x = xs[i], y = ys[i];
#pragma omp simd
            for (int s = 0; s < S; s++) {
                double a1_1 = 1 / (1 + exp(-(w11_1[s] * x + b1_1[s])));
                double a2_1 = 1 / (1 + exp(-(w12_1[s] * x + b2_1[s])));
                double a1_2 = 1 / (1 + exp(-(w11_2[s] * a1_1 + w21_2[s] * a2_1 + b1_2[s])));
                double d_out = -2 * (y - a1_2) * (a1_2 * (1 - a1_2));
                double d_h1 = d_out * w11_2[s] * (a1_1 * (1 - a1_1));
                double d_h2 = d_out * w21_2[s] * (a2_1 * (1 - a2_1));
                w11_2[s] -= lr * (d_out * a1_1);
                w21_2[s] -= lr * (d_out * a2_1);
                b1_2[s] -= lr * d_out;
                w12_1[s] -= lr * (d_h2 * x);
                b2_1[s] -= lr * d_h2;
                w11_1[s] -= lr * (d_h1 * x);
                b1_1[s] -= lr * d_h1;
            }
        }
}

#ifdef BEANS_HIDDEN
#define H BEANS_HIDDEN
#define NP (3 * H + 1)
/* 1-H-1, beans' parameter order: neuron j of the hidden layer has rows 2j (its weight on the
 * input) and 2j+1 (its bias); the output neuron's weight on hidden neuron j is row 2H+j, its
 * bias row 3H. Sums are written in the lesson's order (w*x + b; the output's terms by j, then
 * its bias), updates use the parameters as they were before the sample. The loops over j are
 * unrolled, so a[] and d[] become registers and the loop over seeds s is the one vectorised. */
static void sgd_lanes_hidden(double *restrict P, int S, const double *xs, const double *ys, int n, long epochs,
                             double lr) {
    for (long e = 0; e < epochs; e++)
        for (int i = 0; i < n; i++) {
            double x = xs[i], y = ys[i];
#pragma omp simd
            for (int s = 0; s < S; s++) {
                double a[H], d[H];
                double z = 0;
                #pragma GCC unroll 64
                for (int j = 0; j < H; j++) {
                    a[j] = 1 / (1 + exp(-(P[(2 * j) * S + s] * x + P[(2 * j + 1) * S + s])));
                    z = j == 0 ? P[(2 * H) * S + s] * a[0] : z + P[(2 * H + j) * S + s] * a[j];
                }
                double out = 1 / (1 + exp(-(z + P[(3 * H) * S + s])));
                double d_out = -2 * (y - out) * (out * (1 - out));
                #pragma GCC unroll 64
                for (int j = 0; j < H; j++) d[j] = d_out * P[(2 * H + j) * S + s] * (a[j] * (1 - a[j]));
                #pragma GCC unroll 64
                for (int j = 0; j < H; j++) P[(2 * H + j) * S + s] -= lr * (d_out * a[j]);
                P[(3 * H) * S + s] -= lr * d_out;
                #pragma GCC unroll 64
                for (int j = 0; j < H; j++) {
                    P[(2 * j) * S + s] -= lr * (d[j] * x);
                    P[(2 * j + 1) * S + s] -= lr * d[j];
                }
            }
        }
}
#else
#define NP 7
#endif

static int read_doubles(double *out, long count) {
    for (long k = 0; k < count; k++)
        if (scanf("%lf", &out[k]) != 1) return 0;
    return 1;
}

static int fail(const char *msg) {
    fprintf(stderr, "sgd_c: %s\n", msg);
    return 2;
}

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[1], "scalar") != 0 && strcmp(argv[1], "lanes") != 0))
        return fail("usage: sgd_c scalar|lanes REPEAT < workload");
    int lanes = strcmp(argv[1], "lanes") == 0;
    int repeat = atoi(argv[2]);
    int S, n;
    long epochs;
    double lr;
    if (repeat < 1) return fail("REPEAT must be >= 1");
    if (scanf("%d %d %ld %lf", &S, &n, &epochs, &lr) != 4 || S < 1 || n < 1 || epochs < 0)
        return fail("bad workload header (want: S N EPOCHS LR)");
    double *xs = malloc(sizeof(double) * n), *ys = malloc(sizeof(double) * n);
#ifdef BEANS_HIDDEN
    if (!lanes) return fail("a BEANS_HIDDEN build has the lanes variant only");
#endif
    double *start = malloc(sizeof(double) * NP * S), *P = malloc(sizeof(double) * NP * S);
    double *times = malloc(sizeof(double) * repeat);
    if (!xs || !ys || !start || !P || !times) return fail("out of memory");
    if (!read_doubles(xs, n) || !read_doubles(ys, n) || !read_doubles(start, (long)NP * S))
        return fail("workload ends early or holds a non-number");

    for (int r = 0; r < repeat; r++) {
        if (lanes) {
            for (int s = 0; s < S; s++)
                for (int k = 0; k < NP; k++) P[k * S + s] = start[s * NP + k];
            double t = now();
#ifdef BEANS_HIDDEN
            sgd_lanes_hidden(P, S, xs, ys, n, epochs, lr);
#else
            sgd_lanes(P, S, xs, ys, n, epochs, lr);
#endif
            times[r] = now() - t;
        } else {
            memcpy(P, start, sizeof(double) * 7 * S);
            double t = now();
            for (int s = 0; s < S; s++) sgd_scalar(P + 7 * s, xs, ys, n, epochs, lr);
            times[r] = now() - t;
        }
    }

    printf("seconds");
    for (int r = 0; r < repeat; r++) printf(" %.9e", times[r]);
    printf("\nparams\n");
    for (int s = 0; s < S; s++)
        for (int k = 0; k < NP; k++) {
            double v = lanes ? P[k * S + s] : P[s * NP + k];
            printf("%a%c", v, k == NP - 1 ? '\n' : ' ');
        }
    free(xs); free(ys); free(start); free(P); free(times);
    return 0;
}
