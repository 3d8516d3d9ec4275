using Loom.Core;

namespace Loom.Provenance;

/// <summary>The parts of a C2PA claim (v1 or v2) that verification needs.</summary>
internal sealed record ClaimReader(string? GeneratorName, IReadOnlyList<HashedUri> Assertions)
{
    public static ClaimReader FromCbor(byte[] cbor)
    {
        var map = CborTree.DecodeMap(cbor, "claim");
        var links = new List<HashedUri>();
        foreach (var key in new[] { "created_assertions", "gathered_assertions", "assertions" })
            if (map.GetValueOrDefault(key) is List<object?> list)
                foreach (var item in list)
                {
                    if (item is not Dictionary<string, object?> link
                        || link.GetValueOrDefault("url") is not string url || link.GetValueOrDefault("hash") is not byte[] hash)
                        throw new LoomDataException("claim: an assertion link is not a url/hash map");
                    links.Add(new HashedUri(url, hash));
                }
        var generator = map.GetValueOrDefault("claim_generator_info") switch
        {
            Dictionary<string, object?> info => info.GetValueOrDefault("name") as string,
            List<object?> infos => (infos.FirstOrDefault() as Dictionary<string, object?>)?.GetValueOrDefault("name") as string,
            _ => map.GetValueOrDefault("claim_generator") as string,
        };
        return new ClaimReader(generator, links);
    }
}
