// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {MintableERC20} from "./MintableERC20.sol";

/// @title FeeOnTransferToken
/// @notice Test token that burns `feeBps` of every transfer (mints and burns are exempt), so the receiver gets less
/// than was sent. ManagedPool must refuse it as swap input (FeeOnTransferNotSupported).
contract FeeOnTransferToken is MintableERC20 {
    /// @notice Fee burnt on each transfer, bps.
    uint256 public feeBps;

    constructor(string memory name_, string memory symbol_, uint8 decimals_, uint256 feeBps_)
        MintableERC20(name_, symbol_, decimals_)
    {
        feeBps = feeBps_;
    }

    /// @notice Changes the fee (0 turns the token into a plain one).
    function setFeeBps(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal virtual override {
        if (from == address(0) || to == address(0) || feeBps == 0) {
            super._update(from, to, value);
            return;
        }
        uint256 fee = value * feeBps / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
