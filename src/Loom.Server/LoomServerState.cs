using System.Threading.RateLimiting;
using Loom.Server.Models;
using Loom.Server.Observability;
using Loom.Server.Security;

namespace Loom.Server;

/// <summary>
/// What every request of one server shares (a singleton in its services): the options, the model store, the metrics,
/// the API key store (null when the server runs without keys) and the per-key rate limiter (null when off).
/// </summary>
public sealed class LoomServerState : IDisposable
{
    public LoomServerState(LoomServerOptions options)
    {
        Options = options;
        Store = new ModelStore(options);
        Keys = options.NoAuth ? null : new ApiKeyStore(Store.Root);
        RateLimiter = options.RateLimitPerMinute == 0 ? null : PartitionedRateLimiter.Create<string, string>(key =>
            RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.RateLimitPerMinute,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / options.RateLimitPerMinute,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public LoomServerOptions Options { get; }
    public ModelStore Store { get; }
    public ServerMetrics Metrics { get; } = new();
    public ApiKeyStore? Keys { get; }
    public PartitionedRateLimiter<string>? RateLimiter { get; }

    public void Dispose()
    {
        Store.Dispose();
        RateLimiter?.Dispose();
    }
}
