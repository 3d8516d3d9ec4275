using System.Security.Cryptography;

namespace Loom.Provenance;

/// <summary>
/// Writes a C2PA manifest store holding one signed manifest: the assertion store (<c>c2pa.actions.v2</c>,
/// <c>org.loom.generation</c>, <c>c2pa.hash.data</c>), the v2 claim linking them by hash, and its COSE signature.
/// </summary>
internal static class ManifestStoreWriter
{
    /// <summary>
    /// The store for an asset whose hard binding <paramref name="bindingFor"/> gives for a store of a given length
    /// (an embedded store's exclusion covers the store itself, so the binding depends on the store's size: the
    /// store is rebuilt until its length settles).
    /// </summary>
    public static byte[] Write(ProvenanceKeys keys, GenerationRecord record, Func<int, DataHashAssertion> bindingFor)
    {
        record.Validate();
        var manifestLabel = $"urn:c2pa:{Guid.NewGuid()}";
        var instanceId = $"xmp:iid:{Guid.NewGuid()}";
        var length = 0;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var store = Build(manifestLabel, instanceId, keys, record, bindingFor(length));
            if (store.Length == length) return store;
            length = store.Length;
        }
        throw new InvalidOperationException("the manifest store's length did not settle");
    }

    private static byte[] Build(
        string manifestLabel, string instanceId, ProvenanceKeys keys, GenerationRecord record, DataHashAssertion binding)
    {
        (string Label, byte[] Cbor)[] assertions =
        [
            (ActionsAssertion.Label, ActionsAssertion.CreatedByLoom(record.LoomVersion)),
            (GenerationAssertion.Label, GenerationAssertion.ToCbor(record)),
            (DataHashAssertion.Label, binding.ToCbor()),
        ];
        var boxes = assertions.Select(a => JumbfWriter.CborSuperBox(JumbfTypes.CborAssertion, a.Label, a.Cbor)).ToArray();
        var links = assertions.Select((a, i) => new HashedUri(HashedUri.ForAssertion(a.Label), SHA256.HashData(boxes[i].AsSpan(8))))
            .ToList();
        var claim = ClaimWriter.ToCbor(manifestLabel, instanceId, record.LoomVersion, links);
        var signature = CoseClaimSignature.Sign(claim, keys);
        var manifest = JumbfWriter.SuperBox(JumbfTypes.Manifest, manifestLabel,
            JumbfWriter.SuperBox(JumbfTypes.AssertionStore, ClaimWriter.AssertionStoreLabel, boxes),
            JumbfWriter.CborSuperBox(JumbfTypes.Claim, ClaimWriter.Label, claim),
            JumbfWriter.CborSuperBox(JumbfTypes.Signature, ClaimWriter.SignatureLabel, signature));
        return JumbfWriter.SuperBox(JumbfTypes.ManifestStore, "c2pa", manifest);
    }
}
