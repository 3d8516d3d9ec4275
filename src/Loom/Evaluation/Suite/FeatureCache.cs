using System.Security.Cryptography;
using System.Text;
using Loom.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Suite;

/// <summary>
/// Features of real data, cached on disk by (extractor identity, dataset SHA-256, selection) so a second evaluation
/// against the same data skips the extractor. Files live in <c>$LOOM_CACHE/features</c> (default
/// <c>~/.cache/loom/features</c>) as float32 safetensors; a corrupt or unreadable entry is recomputed.
/// </summary>
public sealed class FeatureCache(string? folder = null)
{
    public string Folder { get; } = folder ?? DefaultFolder();

    /// <summary>Hits and misses since creation (for reports and tests).</summary>
    public int Hits { get; private set; }
    public int Misses { get; private set; }

    public static string DefaultFolder()
    {
        var root = Environment.GetEnvironmentVariable("LOOM_CACHE");
        if (string.IsNullOrWhiteSpace(root))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "loom");
        return Path.Combine(root, "features");
    }

    /// <summary>The cached features for this key, else <paramref name="compute"/>'s (float64 [n, d]) after saving them.</summary>
    public Tensor GetOrCompute(string extractorIdentity, string dataIdentity, Func<Tensor> compute)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(extractorIdentity + "\n" + dataIdentity)))[..32];
        var path = Path.Combine(Folder, key + ".safetensors");
        if (File.Exists(path))
        {
            try
            {
                using var content = SafeTensorsFile.Load(path);
                if (content.Metadata.TryGetValue("extractor", out var e) && e == extractorIdentity &&
                    content.Metadata.TryGetValue("data", out var d) && d == dataIdentity)
                {
                    Hits++;
                    return content.Tensors["features"].to(ScalarType.Float64).detach().clone();
                }
            }
            catch (Core.LoomException)
            {
                // A damaged cache entry is recomputed below and overwritten.
            }
        }
        Misses++;
        using var computed = compute();
        // Round through float32 as the cache stores it, so a miss and a later hit give identical numbers.
        using var f32 = computed.to(ScalarType.Float32);
        var features = f32.to(ScalarType.Float64);
        try
        {
            Directory.CreateDirectory(Folder);
            SafeTensorsFile.Save(path, new Dictionary<string, Tensor> { ["features"] = f32 },
                new Dictionary<string, string> { ["extractor"] = extractorIdentity, ["data"] = dataIdentity });
        }
        catch (IOException)
        {
            // A read-only cache folder only costs the next run the recomputation.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return features;
    }
}
