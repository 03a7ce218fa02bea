"""Write-off and suspension recommendations."""
