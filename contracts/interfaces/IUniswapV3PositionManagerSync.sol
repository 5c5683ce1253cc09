// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title IUniswapV3PositionManagerSync
/// @notice What TreasuryVault pushes to its registered UniswapV3PositionManager (TreasuryVault.setPositionManager), in
/// the same transaction as its own change: the keeper role (setKeeper) and the pause (pause, unpause). The vault is the
/// one source of truth; the manager keeps the copy its rebalance reads and accepts it only from its vault (NotVault).
interface IUniswapV3PositionManagerSync {
    /// @notice The vault granted or revoked `account`'s keeper role.
    function syncKeeper(address account, bool enabled) external;
    /// @notice The vault was paused or unpaused (a retired manager stays paused).
    function syncPaused(bool paused) external;
    /// @notice The vault registered another position manager: this one stays paused for good.
    function retire() external;
}
