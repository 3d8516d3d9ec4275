#!/usr/bin/env bash
# Reproduces the "Latent-variable and adversarial models" numbers in docs/benchmarks.md: every training run, sample
# file, loom eval and class-accuracy probe (build bench/Loom.Bench in Release first). Sequential; on 2 CPU cores
# expect several hours. Usage: bench/latent-adversarial-bars.sh OUT_DIR
set -euo pipefail
out=${1:?usage: $0 OUT_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
loom() { dotnet "$root/src/Loom.Cli/bin/Release/net10.0/Loom.Cli.dll" "$@"; }
mkdir -p "$out" && cd "$out"

# VAE vs IWAE (importance-sampled test NLL, k = 1000)
loom train vae --data fashion-mnist --steps 6000 --seed 1 --eval-k 1000 --eval-n 2000 --out vae-k1
loom train vae --data fashion-mnist --steps 6000 --seed 1 --iwae 5 --eval-k 1000 --eval-n 2000 --out vae-k5

# Class-conditional samples: class accuracy and FID
loom train cvae --data fashion-mnist --steps 6000 --seed 1 --eval-k 100 --eval-n 2000 --out cvae
for t in 1 0.7 0.5; do
  loom sample cvae --class all --n 2000 --seed 2 --temperature $t --out cvae-t$t.safetensors
  loom eval cvae-t$t.safetensors --data fashion-mnist --out eval-cvae-t$t
done
loom train cvae --data fashion-mnist --steps 6000 --seed 1 --latent-dim 4 --eval-k 100 --eval-n 2000 --out cvae4
loom sample cvae4 --class all --n 2000 --seed 2 --out cvae4.safetensors && loom eval cvae4.safetensors --data fashion-mnist --out eval-cvae4
loom train cvae --data fashion-mnist --network conv --steps 4000 --seed 1 --eval-k 100 --eval-n 1000 --out cvae-conv
loom sample cvae-conv --class all --n 2000 --seed 2 --out cvae-conv.safetensors && loom eval cvae-conv.safetensors --data fashion-mnist --out eval-cvae-conv
loom train cgan --data fashion-mnist --steps 5000 --seed 1 --out cgan
loom sample cgan --class all --n 2000 --seed 2 --out cgan.safetensors && loom eval cgan.safetensors --data fashion-mnist --out eval-cgan
loom train cgan --data fashion-mnist --steps 5000 --seed 1 --ema 0.999 --out cgan-ema
# Class accuracy per class and sampling temperature; for a VAE also on its reconstructions of test images.
bench() { dotnet "$root/bench/Loom.Bench/bin/Release/net10.0/Loom.Bench.dll" "$@"; }
for ckpt in cgan cgan-ema; do for t in 1 0.8 0.6; do bench class-accuracy $ckpt --temperature $t; done; done
loom train cvae --data fashion-mnist --steps 6000 --seed 1 --beta 0.1 --eval-k 0 --out cvae-b01
loom train cvae --data fashion-mnist --steps 6000 --seed 1 --likelihood gaussian --eval-k 0 --out cvae-gauss
for ckpt in cvae-conv cvae-b01 cvae-gauss; do bench class-accuracy $ckpt; done
# Fitted latent prior (a Gaussian mixture per class over the posterior means), small β, wider/deeper conv networks, VAE-GAN
loom train cvae --data fashion-mnist --steps 6000 --seed 1 --beta 0.02 --latent-dim 32 --eval-k 0 --out cvae-mlp-b002
loom train cvae --data fashion-mnist --steps 12000 --seed 1 --beta 0.02 --latent-dim 32 --hidden 1024 --eval-k 0 --out cvae-mlp1024
conv="--network conv --base-channels 64 --hidden 512 --seed 1 --eval-k 0"
loom train cvae --data fashion-mnist $conv --latent-dim 32 --steps 4000 --beta 0.1 --out cvae-conv64
cp -r cvae-conv64 cvae-conv64-6841
loom train cvae --data fashion-mnist $conv --latent-dim 32 --steps 6841 --beta 0.1 --resume --out cvae-conv64-6841
loom train cvae --data fashion-mnist $conv --latent-dim 64 --steps 4000 --beta 0.02 --latent-prior gmm --out cvae-conv64-z64
loom train cvae --data fashion-mnist $conv --latent-dim 32 --steps 4000 --beta 0.05 --res-blocks 2 --latent-prior gmm --out cvae-res2
loom train cvae --data fashion-mnist $conv --latent-dim 32 --steps 4000 --beta 0.1 --adversarial 10 --latent-prior gmm --prior-components 40 --out cvae-gan
cp -r cvae-gan cvae-gan-7000
loom train cvae --data fashion-mnist $conv --latent-dim 32 --steps 7000 --beta 0.1 --adversarial 10 --latent-prior gmm --prior-components 40 --resume --out cvae-gan-7000
for ckpt in cvae-mlp-b002 cvae-mlp1024 cvae-conv64 cvae-conv64-6841; do for k in 10 40; do bench class-accuracy $ckpt --fit-prior $k; done; done
for ckpt in cvae-conv64-z64 cvae-res2 cvae-gan cvae-gan-7000; do for t in 1 0.7 0.5; do bench class-accuracy $ckpt --temperature $t; done; done

# FID table
loom sample vae-k1 --n 2000 --seed 2 --out vae.safetensors && loom eval vae.safetensors --data fashion-mnist --out eval-vae
loom train dcgan --data fashion-mnist --steps 3000 --seed 1 --out dcgan
loom sample dcgan --n 2000 --seed 2 --out dcgan.safetensors && loom eval dcgan.safetensors --data fashion-mnist --out eval-dcgan
loom train wgan-gp --data fashion-mnist --steps 2500 --seed 1 --out wgan
loom sample wgan --n 2000 --seed 2 --out wgan.safetensors && loom eval wgan.safetensors --data fashion-mnist --out eval-wgan
loom train vqvae --data fashion-mnist --steps 1200 --prior-steps 1200 --seed 1 --out vqvae
loom sample vqvae --n 2000 --seed 2 --out vqvae.safetensors && loom eval vqvae.safetensors --data fashion-mnist --out eval-vqvae

# CycleGAN: translations classified as the target class
loom train cyclegan --data fashion-mnist --domain-a sandal --domain-b sneaker --steps 2000 --seed 1 --out cyclegan
loom translate cyclegan --images fashion-mnist-test:sandal --n 1000 --out a2b.safetensors && loom eval a2b.safetensors --data fashion-mnist --out eval-a2b
loom translate cyclegan --images fashion-mnist-test:sneaker --n 1000 --direction b2a --out b2a.safetensors && loom eval b2a.safetensors --data fashion-mnist --out eval-b2a
loom translate cyclegan --images fashion-mnist-test:sandal --n 8 --cycle --out cycle-strip.png

# Anomaly detection: one VAE per held-out class
for k in 0 1 2 3 4 5 6 7 8 9; do
  loom train vae --data fashion-mnist --exclude-class $k --steps 3000 --seed 1 --eval-k 0 --eval-n 500 --out anomaly-$k
  loom anomaly anomaly-$k --data fashion-mnist --out anomaly-$k/elbo.csv
  loom anomaly anomaly-$k --data fashion-mnist --score reconstruction --out anomaly-$k/reconstruction.csv
done
