using System.Buffers.Binary;
using System.Security.Cryptography;
using NBitcoin;
using NBitcoin.DataEncoders;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;

namespace TreasuryManager.Ethereum.Wallets;

/// <summary>
/// A BIP-32 extended private key (NBitcoin's <see cref="ExtKey"/>): a secp256k1 key plus chain code, with its place
/// in the tree. <see cref="ToString"/> shows the path, depth and address only — never the private key or xpriv.
/// </summary>
public sealed class HdNode
{
    private static readonly byte[] MainnetPrivateVersion = [0x04, 0x88, 0xAD, 0xE4]; // xprv
    private readonly ExtKey _key;
    private readonly byte[] _privateKey;

    private HdNode(ExtKey key, string? path)
    {
        _key = key;
        _privateKey = key.PrivateKey.ToBytes();
        Path = path;
        PublicKey = key.PrivateKey.PubKey.Compress().ToBytes();
        Fingerprint = BinaryPrimitives.ReadUInt32BigEndian(key.PrivateKey.PubKey.GetHDFingerPrint().ToBytes());
        ParentFingerprint = BinaryPrimitives.ReadUInt32BigEndian(key.ParentFingerprint.ToBytes());
        Address = Address.FromPublicKey(Secp256k1.PublicKeyOf(_privateKey));
    }

    /// <summary>The master node of a seed (16 to 64 bytes): HMAC-SHA512 keyed with "Bitcoin seed".</summary>
    public static HdNode FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length is < 16 or > 64)
            throw new ArgumentException($"A BIP-32 seed is 16 to 64 bytes, but {seed.Length} were given.", nameof(seed));
        var copy = seed.ToArray();
        try { return new HdNode(ExtKey.CreateFromSeed(copy), "m"); }
        catch (ArgumentException e) { throw new ArgumentException("This seed gives an invalid master key (probability below 2⁻¹²⁷); use another seed.", nameof(seed), e); }
        finally { CryptographicOperations.ZeroMemory(copy); }
    }

    /// <summary>The master node of an English BIP-39 mnemonic and optional password.</summary>
    public static HdNode FromMnemonic(string phrase, string password = "")
    {
        var seed = Bip39.MnemonicToSeed(phrase, password);
        try { return FromSeed(seed); }
        finally { CryptographicOperations.ZeroMemory(seed); }
    }

    /// <summary>Parses an xprv (Base58Check, mainnet version 0x0488ADE4). The error never echoes the text.</summary>
    public static HdNode FromExtendedPrivateKey(string xpriv)
    {
        ArgumentNullException.ThrowIfNull(xpriv);
        byte[] data;
        try { data = Encoders.Base58Check.DecodeData(xpriv); }
        catch (FormatException) { throw new HdPathException("The extended private key is not valid Base58Check (bad character or bad checksum); check for a typo."); }
        try
        {
            if (data.Length != 78) throw new HdPathException($"An extended private key holds 78 bytes, but this one holds {data.Length}.");
            if (!data.AsSpan(0, 4).SequenceEqual(MainnetPrivateVersion)) throw new HdPathException("Not an xprv: the version bytes are not 0488ade4 (mainnet private).");
            if (data[45] != 0) throw new HdPathException("The extended private key's key field does not start with 0x00.");
            if (!Secp256k1.IsValidPrivateKey(data.AsSpan(46, 32))) throw new HdPathException("The extended private key holds an invalid secp256k1 key.");
            var depth = data[4];
            if (depth == 0 && (BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(5)) != 0 || BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(9)) != 0))
                throw new HdPathException("The extended private key has depth 0 but a non-zero parent fingerprint or index.");
            return new HdNode(ExtKey.CreateFromBytes(data[4..]), depth == 0 ? "m" : null);
        }
        finally { CryptographicOperations.ZeroMemory(data); }
    }

    public byte Depth => _key.Depth;

    /// <summary>This node's index in its parent (hardened indices include 2³¹).</summary>
    public uint Index => _key.Child;

    public bool IsHardened => Index >= HdPath.HardenedOffset;

    public uint ParentFingerprint { get; }

    /// <summary>The first 4 bytes of HASH160 of the compressed public key, big-endian.</summary>
    public uint Fingerprint { get; }

    public ReadOnlySpan<byte> ChainCode => _key.ChainCode;

    /// <summary>The raw private key. Never log it.</summary>
    public ReadOnlySpan<byte> PrivateKeyBytes => _privateKey;

    /// <summary>The compressed public key (33 bytes).</summary>
    public byte[] PublicKey { get; }

    public Address Address { get; }

    /// <summary>The absolute path from the master, when known (null for a node parsed from a non-root xprv).</summary>
    public string? Path { get; }

    public EthKey ToEthKey() => new(_privateKey);

    /// <summary>CKDpriv: the child at <paramref name="index"/> (≥ 2³¹ is hardened).</summary>
    public HdNode DeriveChild(uint index)
    {
        if (Depth == 255) throw new HdPathException("Cannot derive below depth 255 (the BIP-32 limit).");
        var childPath = Path is null ? null : HdPath.Format(HdPath.Parse(Path).Indices.Append(index));
        return new HdNode(_key.Derive(index), childPath);
    }

    /// <summary>
    /// Derives along a path: an absolute one ("m/44'/60'/0'/0/0") only from the master node, a
    /// relative one ("0/1") from any node.
    /// </summary>
    public HdNode Derive(string path)
    {
        var parsed = HdPath.Parse(path);
        if (parsed.IsAbsolute && Depth != 0)
            throw new HdPathException($"Absolute path '{path}' can only be derived from the master node, but this node has depth {Depth}; give a relative path (without 'm/').");
        var node = this;
        foreach (var index in parsed.Indices) node = node.DeriveChild(index);
        return node;
    }

    /// <summary>The xprv serialisation. It is as secret as the private key.</summary>
    public string ToExtendedPrivateKey() => _key.ToString(Network.Main);

    /// <summary>The xpub serialisation (public).</summary>
    public string ToExtendedPublicKey() => _key.Neuter().ToString(Network.Main);

    public override string ToString() => $"HdNode({Path ?? "?"}, depth {Depth}, {Address})";

    internal static string FingerprintHex(uint fingerprint)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, fingerprint);
        return Hex.Encode(bytes);
    }
}
