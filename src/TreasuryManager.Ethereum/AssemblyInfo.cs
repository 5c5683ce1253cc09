namespace TreasuryManager.Ethereum;
