using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Transactions;

/// <summary>
/// One EIP-2930 access-list entry: an address and the 32-byte storage keys of it the transaction
/// declares it will touch. Equality is by content.
/// </summary>
public sealed record AccessListEntry
{
    public AccessListEntry(Address address, IEnumerable<byte[]> storageKeys)
    {
        ArgumentNullException.ThrowIfNull(storageKeys);
        Address = address;
        var keys = new List<byte[]>();
        foreach (var key in storageKeys)
        {
            if (key is null || key.Length != 32)
                throw new ArgumentException($"Access-list storage keys are 32 bytes each, but a key of {key?.Length ?? 0} bytes was given for {address}.", nameof(storageKeys));
            keys.Add((byte[])key.Clone());
        }
        StorageKeys = keys;
    }

    public AccessListEntry(Address address, params string[] storageKeysHex)
        : this(address, storageKeysHex.Select(k => Hex.Decode(k, "access-list storage key"))) { }

    public Address Address { get; }

    /// <summary>The 32-byte storage keys (copies taken on construction; do not mutate).</summary>
    public IReadOnlyList<byte[]> StorageKeys { get; }

    public bool Equals(AccessListEntry? other) =>
        other is not null && Address == other.Address && StorageKeys.Count == other.StorageKeys.Count &&
        StorageKeys.Zip(other.StorageKeys).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Address);
        foreach (var key in StorageKeys) hash.AddBytes(key);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{Address} [{string.Join(", ", StorageKeys.Select(k => Hex.Encode(k)))}]";
}
