// Auth0's /v2/logout does not ask for confirmation; submit the provider's logout form at once.
document.getElementById('confirm-logout')?.click();
