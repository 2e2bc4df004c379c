package views

// TwoFactorView is the account's two-factor page: the enrolment (QR code as a
// data: URL, the secret as text) or, once enrolled, the codes left.
type TwoFactorView struct {
	Enabled   bool
	QR        string
	Secret    string
	CodesLeft int
	Form      Form
}
