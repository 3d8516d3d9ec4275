// Minimal reproduction, with no .NET in the process, of two wrong conv2d results in the libtorch 2.10 that TorchSharp
// 0.107 ships (oneDNN, float32, CPU), through TorchSharp's C bridge, for 3x3 kernels with padding 1, compared with
// the same sums written as loops:
//   grad:    sum |d/dx sum(conv2d(x, w, b))| - wrong when the output channel count is not a multiple of 16;
//   forward: sum |conv2d(x, w, b)|           - wrong when the input channel count is above 16 and not a multiple of 16.
// Usage: onednn_conv grad|forward THREADS ONEDNN(0|1) IC OC [H N] (bench/repro/run.sh runs the cases docs/architecture.md
// lists).
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>

typedef void *Tensor;
typedef void *Scalar;
extern Tensor THSTensor_randn(void *gen, const int64_t *sizes, int32_t len, int8_t type, int32_t device, int32_t index, bool grad);
extern Tensor THSTensor_conv2d(Tensor x, Tensor w, Tensor b, const int64_t *stride, int32_t sl, const int64_t *padding,
                               int32_t pl, const int64_t *dilation, int32_t dl, int64_t groups);
extern void THSTensor_set_requires_grad(Tensor t, bool grad);
extern Tensor THSTensor_sum(Tensor t, bool has_type, int8_t type);
extern Tensor THSTensor_abs(Tensor t);
extern void THSTensor_backward(Tensor t);
extern Tensor THSTensor_grad(Tensor t);
extern Scalar THSTensor_item(Tensor t);
extern void *THSTensor_data(Tensor t);
extern double THSTorch_scalar_to_float64(Scalar s);
extern void THSTorch_manual_seed(int64_t seed);
extern void THSTorch_set_num_threads(int32_t threads);
extern void THSTensor_dispose(Tensor t);
extern void THSTorch_dispose_scalar(Scalar s);

static double abs_sum(Tensor t) {
  Tensor a = THSTensor_abs(t), s = THSTensor_sum(a, false, 0);
  Scalar v = THSTensor_item(s);
  double r = THSTorch_scalar_to_float64(v);
  THSTorch_dispose_scalar(v); THSTensor_dispose(s); THSTensor_dispose(a);
  return r;
}

static double loops_input_grad(const float *wd, int ic, int oc, int h, int n) {
  double expected = 0;  // each x sees every tap whose output position exists
  for (int c = 0; c < ic; c++)
    for (int i = 0; i < h; i++)
      for (int j = 0; j < h; j++) {
        double g = 0;
        for (int o = 0; o < oc; o++)
          for (int ki = 0; ki < 3; ki++)
            for (int kj = 0; kj < 3; kj++) {
              int oi = i + 1 - ki, oj = j + 1 - kj;
              if (oi >= 0 && oi < h && oj >= 0 && oj < h) g += wd[((o * ic + c) * 3 + ki) * 3 + kj];
            }
        expected += n * (g < 0 ? -g : g);
      }
  return expected;
}

static double loops_forward(const float *wd, const float *bd, const float *xd, int ic, int oc, int h, int n) {
  double expected = 0;  // bias plus the taps inside the image
  for (int s = 0; s < n; s++)
    for (int o = 0; o < oc; o++)
      for (int i = 0; i < h; i++)
        for (int j = 0; j < h; j++) {
          double y = bd[o];
          for (int c = 0; c < ic; c++)
            for (int ki = 0; ki < 3; ki++)
              for (int kj = 0; kj < 3; kj++) {
                int xi = i - 1 + ki, xj = j - 1 + kj;
                if (xi >= 0 && xi < h && xj >= 0 && xj < h)
                  y += wd[((o * ic + c) * 3 + ki) * 3 + kj] * xd[((s * ic + c) * h + xi) * h + xj];
              }
          expected += y < 0 ? -y : y;
        }
  return expected;
}

int main(int argc, char **argv) {
  if (argc < 6 || (strcmp(argv[1], "grad") != 0 && strcmp(argv[1], "forward") != 0)) {
    fprintf(stderr, "usage: %s grad|forward THREADS ONEDNN IC OC [H N]\n", argv[0]);
    return 2;
  }
  bool grad = strcmp(argv[1], "grad") == 0;
  int threads = atoi(argv[2]), onednn = atoi(argv[3]), ic = atoi(argv[4]), oc = atoi(argv[5]);
  int h = argc > 6 ? atoi(argv[6]) : 8, n = argc > 7 ? atoi(argv[7]) : 5;
  THSTorch_set_num_threads(threads);
  void *lib = dlopen("libtorch_cpu.so", RTLD_NOW | RTLD_NOLOAD);
  void *(*context)(void) = (void *(*)(void))dlsym(lib, "_ZN2at13globalContextEv");
  void (*set_mkldnn)(void *, bool) = (void (*)(void *, bool))dlsym(lib, "_ZN2at7Context20setUserEnabledMkldnnEb");
  void (*set_nnpack)(void *, bool) = (void (*)(void *, bool))dlsym(lib, "_ZN2at7Context20setUserEnabledNNPACKEb");
  set_mkldnn(context(), onednn != 0);
  set_nnpack(context(), false);
  THSTorch_manual_seed(0);
  int64_t wshape[] = {oc, ic, 3, 3}, bshape[] = {oc}, xshape[] = {n, ic, h, h}, ones[] = {1, 1};
  Tensor w = THSTensor_randn(NULL, wshape, 4, 6, 0, 0, false), b = THSTensor_randn(NULL, bshape, 1, 6, 0, 0, false);
  Tensor x0 = THSTensor_randn(NULL, xshape, 4, 6, 0, 0, false);
  const float *wd = THSTensor_data(w), *bd = THSTensor_data(b), *xd = THSTensor_data(x0);
  double expected = grad ? loops_input_grad(wd, ic, oc, h, n) : loops_forward(wd, bd, xd, ic, oc, h, n);
  printf("%s threads %d onednn %d ic %d oc %d h %d n %d: loops %.6g, libtorch", argv[1], threads, onednn, ic, oc, h, n, expected);
  for (int pass = 0; pass < 3; pass++) {
    if (!grad) {
      Tensor y = THSTensor_conv2d(x0, w, b, ones, 2, ones, 2, ones, 2, 1);
      printf(" %.6g", abs_sum(y));
      THSTensor_dispose(y);
      continue;
    }
    Tensor x = THSTensor_randn(NULL, xshape, 4, 6, 0, 0, false);
    THSTensor_set_requires_grad(x, true);
    Tensor y = THSTensor_conv2d(x, w, b, ones, 2, ones, 2, ones, 2, 1), s = THSTensor_sum(y, false, 0);
    THSTensor_backward(s);
    Tensor g = THSTensor_grad(x);
    printf(" %.6g", abs_sum(g));
    THSTensor_dispose(g); THSTensor_dispose(s); THSTensor_dispose(y); THSTensor_dispose(x);
  }
  printf("\n");
  return 0;
}
