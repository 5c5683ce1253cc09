using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.Encoding;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace TreasuryManager.Ethereum.Wallets;

/// <summary>
/// A BIP-32 extended private key: a secp256k1 key plus chain code, with its place in the tree.
/// <see cref="ToString"/> shows the path, depth and address only — never the private key or xpriv.
/// </summary>
public sealed class HdNode
{
    private static readonly byte[] MainnetPrivateVersion = [0x04, 0x88, 0xAD, 0xE4]; // xprv
    private static readonly byte[] MainnetPublicVersion = [0x04, 0x88, 0xB2, 0x1E];  // xpub
    private readonly byte[] _privateKey;
    private readonly byte[] _chainCode;

    private HdNode(byte[] privateKey, byte[] chainCode, byte depth, uint index, uint parentFingerprint, string? path)
    {
        _privateKey = privateKey;
        _chainCode = chainCode;
        Depth = depth;
        Index = index;
        ParentFingerprint = parentFingerprint;
        Path = path;
        PublicKey = Secp256k1.CompressedPublicKeyOf(privateKey);
        Fingerprint = BinaryPrimitives.ReadUInt32BigEndian(Hash160(PublicKey));
        Address = Address.FromPublicKey(Secp256k1.PublicKeyOf(privateKey));
    }

    /// <summary>The master node of a seed (16 to 64 bytes): HMAC-SHA512 keyed with "Bitcoin seed".</summary>
    public static HdNode FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length is < 16 or > 64)
            throw new ArgumentException($"A BIP-32 seed is 16 to 64 bytes, but {seed.Length} were given.", nameof(seed));
        var i = HMACSHA512.HashData("Bitcoin seed"u8, seed);
        var key = i[..32];
        if (!Secp256k1.IsValidPrivateKey(key))
            throw new ArgumentException("This seed gives an invalid master key (probability below 2⁻¹²⁷); use another seed.", nameof(seed));
        var node = new HdNode(key, i[32..], 0, 0, 0, "m");
        CryptographicOperations.ZeroMemory(i);
        return node;
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
        byte[] data;
        try { data = Base58Check.Decode(xpriv, "extended private key"); }
        catch (FormatException e) { throw new HdPathException(e.Message); }
        if (data.Length != 78) throw new HdPathException($"An extended private key holds 78 bytes, but this one holds {data.Length}.");
        if (!data.AsSpan(0, 4).SequenceEqual(MainnetPrivateVersion)) throw new HdPathException("Not an xprv: the version bytes are not 0488ade4 (mainnet private).");
        if (data[45] != 0) throw new HdPathException("The extended private key's key field does not start with 0x00.");
        var key = data[46..78];
        if (!Secp256k1.IsValidPrivateKey(key)) throw new HdPathException("The extended private key holds an invalid secp256k1 key.");
        var depth = data[4];
        var parent = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(5));
        var index = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(9));
        if (depth == 0 && (parent != 0 || index != 0)) throw new HdPathException("The extended private key has depth 0 but a non-zero parent fingerprint or index.");
        var node = new HdNode(key, data[13..45], depth, index, parent, depth == 0 ? "m" : null);
        CryptographicOperations.ZeroMemory(data);
        return node;
    }

    public byte Depth { get; }

    /// <summary>This node's index in its parent (hardened indices include 2³¹).</summary>
    public uint Index { get; }

    public bool IsHardened => Index >= HdPath.HardenedOffset;

    public uint ParentFingerprint { get; }

    /// <summary>The first 4 bytes of HASH160 of the compressed public key, big-endian.</summary>
    public uint Fingerprint { get; }

    public ReadOnlySpan<byte> ChainCode => _chainCode;

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
        var data = new byte[37];
        if (index >= HdPath.HardenedOffset) _privateKey.CopyTo(data, 1);
        else PublicKey.CopyTo(data, 0);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(33), index);
        var i = HMACSHA512.HashData(_chainCode, data);
        CryptographicOperations.ZeroMemory(data);
        try
        {
            var il = new BcBigInteger(1, i, 0, 32);
            if (il.CompareTo(Secp256k1.N) >= 0)
                throw new InvalidOperationException($"Child {index} is invalid under BIP-32 (IL ≥ n; probability below 2⁻¹²⁷); use the next index.");
            var child = il.Add(new BcBigInteger(1, _privateKey)).Mod(Secp256k1.N);
            if (child.SignValue == 0)
                throw new InvalidOperationException($"Child {index} is invalid under BIP-32 (zero key; probability below 2⁻¹²⁷); use the next index.");
            var childKey = child.ToByteArrayUnsigned();
            var padded = new byte[32];
            childKey.CopyTo(padded, 32 - childKey.Length);
            var childPath = Path is null ? null : HdPath.Format(HdPath.Parse(Path).Indices.Append(index));
            return new HdNode(padded, i[32..], (byte)(Depth + 1), index, Fingerprint, childPath);
        }
        finally { CryptographicOperations.ZeroMemory(i); }
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
    public string ToExtendedPrivateKey()
    {
        var data = Serialize(MainnetPrivateVersion, key => { key[0] = 0; _privateKey.CopyTo(key[1..]); });
        try { return Base58Check.Encode(data); }
        finally { CryptographicOperations.ZeroMemory(data); }
    }

    /// <summary>The xpub serialisation (public).</summary>
    public string ToExtendedPublicKey() => Base58Check.Encode(Serialize(MainnetPublicVersion, key => PublicKey.CopyTo(key)));

    public override string ToString() => $"HdNode({Path ?? "?"}, depth {Depth}, {Address})";

    private delegate void KeyWriter(Span<byte> key);

    private byte[] Serialize(byte[] version, KeyWriter writeKey)
    {
        var data = new byte[78];
        version.CopyTo(data, 0);
        data[4] = Depth;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(5), ParentFingerprint);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(9), Index);
        _chainCode.CopyTo(data, 13);
        writeKey(data.AsSpan(45, 33));
        return data;
    }

    private static byte[] Hash160(ReadOnlySpan<byte> data)
    {
        var sha = SHA256.HashData(data);
        var ripemd = new RipeMD160Digest();
        ripemd.BlockUpdate(sha, 0, sha.Length);
        var output = new byte[20];
        ripemd.DoFinal(output, 0);
        return output;
    }

    internal static string FingerprintHex(uint fingerprint)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, fingerprint);
        return Hex.Encode(bytes);
    }
}
