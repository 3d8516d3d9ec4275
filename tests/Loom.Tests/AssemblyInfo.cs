// libtorch autograd and TorchSharp's global state (default dtype, RNG, thread settings) are process-wide; test
// classes running in parallel made MCMC gradient tests fail intermittently. Run test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
