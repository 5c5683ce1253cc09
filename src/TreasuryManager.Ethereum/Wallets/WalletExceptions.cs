namespace TreasuryManager.Ethereum.Wallets;

/// <summary>
/// A keystore file could not be read or written: malformed JSON, an unsupported KDF or cipher,
/// a field of the wrong shape, or a key whose address differs from the file's. Messages name the
/// field and never include the password or key material.
/// </summary>
public class KeystoreException : Exception
{
    public KeystoreException(string message) : base(message) { }
    public KeystoreException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The password does not open the keystore (its MAC does not match).</summary>
public sealed class WrongPasswordException : KeystoreException
{
    public WrongPasswordException(string message) : base(message) { }
    public WrongPasswordException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// A BIP-39 mnemonic is not acceptable: not English, a word not in the list, a wrong word count or
/// a bad checksum. Messages never include the phrase or its words.
/// </summary>
public sealed class MnemonicException : FormatException
{
    public MnemonicException(string message) : base(message) { }
}

/// <summary>A BIP-32 derivation path (e.g. m/44'/60'/0'/0/0) or extended key is malformed.</summary>
public sealed class HdPathException : FormatException
{
    public HdPathException(string message) : base(message) { }
}
