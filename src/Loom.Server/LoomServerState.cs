using System.Threading.RateLimiting;
using Loom.Server.Models;
using Loom.Server.Observability;
using Loom.Safety;
using Loom.Safety.Images;
using Loom.Server.Security;

namespace Loom.Server;

/// <summary>
/// What every request of one server shares (a singleton in its services): the options, the model store, the metrics,
/// the API key store (null when the server runs without keys), the per-key rate limiter (null when off) and the moderation
/// stage.
/// </summary>
public sealed class LoomServerState : IDisposable
{
    public LoomServerState(LoomServerOptions options)
    {
        Options = options;
        Store = new ModelStore(options);
        Moderator = options.Moderation is { } moderation ? new ContentModerator(moderation) : null;
        ImageMemorization = options.ImageMemorizationData is { } data
            ? ImageMemorizationDetector.Load(data, options.ImageMemorization) : null;
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
    /// <summary>The moderation stage text outputs pass through (null when <see cref="LoomServerOptions.Moderation"/> is off).</summary>
    public ContentModerator? Moderator { get; }
    public PartitionedRateLimiter<string>? RateLimiter { get; }
    /// <summary>The near-copy check of <see cref="LoomServerOptions.ImageMemorizationData"/>; null when there is none.</summary>
    public ImageMemorizationDetector? ImageMemorization { get; }

    /// <summary>The near-copy check for a model making images of <paramref name="shape"/>; null when there is none for it.</summary>
    public ImageMemorizationDetector? ImageMemorizationFor(Loom.Models.ImageShape shape) =>
        ImageMemorization is { } detector && detector.Covers(shape) ? detector : null;

    public void Dispose()
    {
        Store.Dispose();
        RateLimiter?.Dispose();
        ImageMemorization?.Dispose();
    }
}
