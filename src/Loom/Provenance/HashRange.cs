namespace Loom.Provenance;

/// <summary>A byte range of the asset that a <c>c2pa.hash.data</c> hard binding leaves out of its hash.</summary>
internal readonly record struct HashRange(long Start, long Length);
