// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MintableERC20
/// @notice Test token: anyone may mint; decimals fixed at deployment (6..18 for the pool).
contract MintableERC20 is ERC20 {
    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    function decimals() public view virtual override returns (uint8) {
        return _decimals;
    }

    /// @notice Mints `amount` to `to` (test only: unrestricted).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Burns `amount` from `from` (test only: unrestricted).
    function burn(address from, uint256 amount) external {
        _burn(from, amount);
    }
}
