namespace TreasuryManager.Ethereum;

/// <summary>
/// Raised when an input (hex text, an address, an encoding) is malformed. The message names the
/// input and says what a well-formed one looks like; it never includes key material.
/// </summary>
public sealed class EthereumFormatException : FormatException
{
    public EthereumFormatException(string message) : base(message) { }
    public EthereumFormatException(string message, Exception inner) : base(message, inner) { }
}
